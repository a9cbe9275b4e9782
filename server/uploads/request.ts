import type { FastifyRequest } from 'fastify';
import { basename, extname } from 'node:path';
import { isEarshotError, Errors } from '../../src/errors.ts';
import type { ModelRegistry } from '../../src/encoders/registry.ts';

const CURL_EXAMPLE = 'curl -F file=@clip.wav http://127.0.0.1:8080/api/uploads';

/**
 * The one file part of a `POST /api/uploads` body, read into memory. Every
 * way a multipart body can be wrong answers 4xx naming it: no file part
 * (400), more than `limitBytes` (413), several files or too many fields
 * (413), and a body the multipart parser cannot read (400
 * `EARSHOT_INVALID_MULTIPART`: no boundary, cut short).
 */
export async function readUploadPart(request: FastifyRequest, limitBytes: number, limitText: string): Promise<{ bytes: Buffer; filename: string }> {
  try {
    const part = await request.file();
    if (part === undefined) throw new Errors.INVALID_REQUEST('the upload has no file part; add one (form field of type file)');
    return { bytes: await part.toBuffer(), filename: part.filename ?? '' };
  } catch (err) {
    throw multipartError(err, limitText);
  }
}

function multipartError(err: unknown, limitText: string): Error {
  if (isEarshotError(err)) return err;
  const code = (err as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new Errors.UPLOAD_TOO_LARGE(limitText);
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new Errors.TOO_MANY_PARTS(CURL_EXAMPLE);
  }
  const why = err instanceof Error ? err.message.replace(/^Multipart: /, '') : String(err);
  return new Errors.INVALID_MULTIPART(`the multipart/form-data body cannot be read (${why.slice(0, 120)}); send one file part, e.g. ${CURL_EXAMPLE}`);
}

/** The shortest window among the models this server can run: audio shorter than that gives no window at all. */
export function shortestWindow(models: ModelRegistry): { seconds: number; model: string } | undefined {
  let best: { seconds: number; model: string } | undefined;
  for (const { manifest, missing } of models.list()) {
    if (missing.length === 0 && (best === undefined || manifest.windowS < best.seconds)) best = { seconds: manifest.windowS, model: manifest.id };
  }
  return best;
}

/** UPLOAD_TOO_SHORT (422) when an upload of `durationS` is shorter than one window of every model served. */
export function checkUploadLength(name: string, durationS: number, window: { seconds: number; model: string } | undefined): void {
  if (window === undefined || durationS >= window.seconds) return;
  throw new Errors.UPLOAD_TOO_SHORT(`upload "${name}" lasts ${+durationS.toPrecision(3)} s; the shortest window of the models this server runs is ${window.seconds} s (${window.model}), so it would give no result. Upload at least ${window.seconds} s of audio`);
}

/**
 * The audio file an upload's metadata names, when it is the one the server
 * stores for that upload id: `<uuid>.<ext>` in the uploads folder itself.
 * Anything else (`<uuid>/../x.wav`, another id's file, another extension)
 * gives undefined, and the entry is not listed.
 */
export function storedUploadFile(file: unknown, uuid: string, extensions: ReadonlySet<string>): string | undefined {
  if (typeof file !== 'string' || basename(file) !== file) return undefined;
  const ext = extname(file);
  return extensions.has(ext) && file === `${uuid}${ext}` ? file : undefined;
}
