import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { decodeAudioFile } from '../src/audio/decode.ts';
import { flacStreamInfo, sniffFormat } from '../src/audio/containers.ts';
import { Errors } from '../src/errors.ts';
import { makeDirectory } from '../src/makeDirectory.ts';
import { describeFsError, writeAtomically } from '../src/writeAtomically.ts';
import { MAX_RESAMPLE_RATE_HZ } from '../src/audio/libsamplerate.ts';
import { checkUploadLength, storedUploadFile } from './uploads/request.ts';
import type { ClipInfo } from './protocol/rest.ts';
import { inspectUpload, MIN_UPLOAD_RATE_HZ, playableRate, type UploadShape } from './uploads/inspect.ts';
import { UploadQuota } from './uploads/quota.ts';

/** Limits of the uploads folder (server options of the same names). */
export interface ClipStoreLimits {
  /** Longest upload kept (s of decoded audio). */
  maxUploadDurationS: number;
  /** The uploads folder's quota (bytes); the least recently played uploads make room for new ones. */
  maxUploadsBytes: number;
}

export const CLIP_STORE_DEFAULTS: Readonly<ClipStoreLimits> = Object.freeze({ maxUploadDurationS: 600, maxUploadsBytes: 256_000_000 });

/** A clip a stream can play (its REST shape): a shipped speech clip or an upload. Paths never leave the server. */
export type Clip = ClipInfo;

const AUDIO_EXTENSIONS = new Set(['.wav', '.flac', '.ogg', '.mp3']);
const UPLOAD_ID = /^upload\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const EXTENSION_BY_FORMAT: Record<string, string> = { wav: '.wav', flac: '.flac', vorbis: '.ogg', mp3: '.mp3' };

/**
 * The clips offered to streams: the audio files under the shipped speech
 * folder that its `clips.txt` lists (one file or folder per line, relative
 * to the folder, offered in that order; "#" starts a comment; no clips.txt: every audio file), and the uploads folder (each upload stored as `<uuid>.<ext>` with a
 * `<uuid>.json` beside it). A clip is named by its id or its listed `path`,
 * both looked up in a table built from what is on disk and never joined into
 * a file system path, so no name a client sends can reach another file.
 */
export class ClipStore {
  private readonly byId = new Map<string, { clip: Clip; file: string }>();
  private readonly byPath = new Map<string, { clip: Clip; file: string }>();

  /** True while a running stream plays this file (set by the server; such uploads are never evicted). */
  isPlaying: (file: string) => boolean = () => false;
  private readonly quota: UploadQuota;
  /** Uploads being stored, one after another: each makes room for itself only once the one before it is counted. */
  private storing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly uploadsDir: string,
    private readonly limits: ClipStoreLimits,
  ) {
    this.quota = new UploadQuota(limits.maxUploadsBytes, (id) => this.isPlaying(this.byId.get(id)?.file ?? ''));
  }

  static async open(opts: { clipsDir: string; uploadsDir: string; warn?: (message: string) => void } & Partial<ClipStoreLimits>): Promise<ClipStore> {
    const store = new ClipStore(opts.uploadsDir, {
      maxUploadDurationS: opts.maxUploadDurationS ?? CLIP_STORE_DEFAULTS.maxUploadDurationS,
      maxUploadsBytes: opts.maxUploadsBytes ?? CLIP_STORE_DEFAULTS.maxUploadsBytes,
    });
    const offered = await offeredEntries(opts.clipsDir);
    // In the order clips.txt lists them (the dashboard's first clip is its default), files under one entry sorted.
    const rank = (file: string) => (offered ? offered.findIndex((entry) => file === entry || file.startsWith(`${entry}${sep}`)) : 0);
    const files = (await audioFilesUnder(opts.clipsDir)).map((file) => ({ file, at: rank(file) })).filter((f) => f.at >= 0);
    for (const { file } of files.sort((a, b) => a.at - b.at)) {
      const rel = relative(opts.clipsDir, file);
      const id = rel.slice(0, -extname(rel).length).split(sep).join('/');
      const name = rel.split(sep).join('/');
      store.add({ id, path: `speech/${name}`, origin: 'shipped', name, ...(await describeFile(file)) }, file);
    }
    for (const name of await readdir(opts.uploadsDir).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const meta = parseMeta(await readFile(join(opts.uploadsDir, name), 'utf8').catch(() => ''));
      const match = meta && UPLOAD_ID.exec(String(meta.id));
      // The audio must be the file this id is stored as, in this folder: metadata naming "<uuid>/../x" is skipped.
      const file = meta && match ? storedUploadFile(meta.file, match[1], AUDIO_EXTENSIONS) : undefined;
      if (!meta || file === undefined) {
        opts.warn?.(`uploads: ${name} does not describe a stored upload; not listed`);
        continue;
      }
      // Kept by an earlier version that took any rate: a stream could not play it.
      if (!playableRate(meta.sampleRateHz)) {
        opts.warn?.(`uploads: ${name} is sampled at ${meta.sampleRateHz} Hz, outside ${MIN_UPLOAD_RATE_HZ} to ${MAX_RESAMPLE_RATE_HZ} Hz; not listed`);
        continue;
      }
      store.add({ ...clipOf(meta), path: `uploads/${file}` }, join(opts.uploadsDir, file));
      // The metadata's mtime is when a stream last played the upload (see file()).
      const used = await stat(join(opts.uploadsDir, name)).then((st) => st.mtimeMs, () => 0);
      store.quota.track(String(meta.id), Number(meta.bytes) || 0, used);
    }
    return store;
  }

  list(): Clip[] {
    return [...this.byId.values()].map((e) => e.clip);
  }

  get(id: string): Clip {
    return this.lookup(id).clip;
  }

  /** The file behind a clip's id or listed path (for the pipeline only); an upload becomes the most recently used. */
  file(idOrPath: string): string {
    const { clip, file } = this.lookup(idOrPath);
    if (clip.origin === 'upload') {
      const now = new Date();
      this.quota.touch(clip.id, now.getTime());
      const meta = join(this.uploadsDir, `${clip.id.slice('upload/'.length)}.json`);
      utimes(meta, now, now).catch(() => undefined); // best effort: only the eviction order after a restart depends on it
    }
    return file;
  }

  /** Bytes the uploads take, and the quota. */
  uploadsUsage(): { usedBytes: number; maxBytes: number } {
    return { usedBytes: this.quota.usedBytes, maxBytes: this.quota.maxBytes };
  }

  /**
   * Check that `bytes` are audio a stream can play with `inspect` (by default
   * inspectUpload in this thread; the server runs it on a task thread):
   * UNKNOWN_FORMAT 415, CORRUPT_AUDIO / EMPTY_AUDIO / NON_FINITE_AUDIO /
   * UNSUPPORTED_RATE 422, UPLOAD_TOO_LONG 413, each naming the upload; no
   * shorter than `shortestWindow` (UPLOAD_TOO_SHORT 422); make room under the
   * quota (least recently played uploads deleted; UPLOADS_FULL 507 when that
   * cannot be done), then store them under a fresh id. The client's file name
   * is kept for display only.
   */
  async addUpload(
    bytes: Uint8Array,
    clientName: string,
    shortestWindow?: { seconds: number; model: string },
    inspect: (bytes: Uint8Array, name: string, maxDurationS: number) => Promise<UploadShape> = inspectUpload,
  ): Promise<Clip> {
    const name = displayName(clientName);
    const shape = await inspect(bytes, name, this.limits.maxUploadDurationS);
    checkUploadLength(name, shape.durationS, shortestWindow);
    const store = this.storing.then(() => this.store(bytes, name, shape));
    this.storing = store.catch(() => undefined);
    return store;
  }

  private async store(bytes: Uint8Array, name: string, shape: UploadShape): Promise<Clip> {
    for (const id of this.quota.makeRoom(bytes.length)) await this.removeUpload(id);
    const uuid = randomUUID();
    const ext = EXTENSION_BY_FORMAT[sniffFormat(bytes)?.format ?? ''] ?? '.bin';
    const file = `${uuid}${ext}`;
    const clip: Clip = { id: `upload/${uuid}`, path: `uploads/${file}`, origin: 'upload', name, ...shape, bytes: bytes.length };
    const audioPath = join(this.uploadsDir, file);
    try {
      await makeDirectory(this.uploadsDir);
      await writeAtomically(audioPath, bytes);
      // Metadata last: a half-stored upload is never listed after a restart.
      const metaPath = join(this.uploadsDir, `${uuid}.json`);
      await writeAtomically(metaPath, JSON.stringify({ ...clip, file }));
    } catch (err) {
      await rm(audioPath, { force: true }).catch(() => undefined);
      // The client reads the upload's name and the reason; the folder (a server path) stays in the log, with the cause.
      throw new Errors.WRITE_FAILED(`the upload "${name}" into the server's uploads folder`, fsReason(err), { cause: err });
    }
    this.add(clip, audioPath);
    this.quota.track(clip.id, clip.bytes);
    return clip;
  }

  // Metadata first: an upload whose audio outlives it is never listed again.
  private async removeUpload(id: string): Promise<void> {
    const hit = this.byId.get(id);
    if (hit === undefined) return;
    this.byId.delete(id);
    this.byPath.delete(hit.clip.path);
    this.quota.forget(id);
    await rm(join(this.uploadsDir, `${id.slice('upload/'.length)}.json`), { force: true });
    await rm(hit.file, { force: true });
  }

  private add(clip: Clip, file: string): void {
    this.byId.set(clip.id, { clip, file });
    this.byPath.set(clip.path, { clip, file });
  }

  private lookup(id: string): { clip: Clip; file: string } {
    const hit = this.byId.get(id) ?? this.byPath.get(id);
    if (hit === undefined) {
      const known = [...this.byId.keys()];
      const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, ... (${known.length} in all; GET /api/clips)` : known.join(', ') || '(none)';
      throw new Errors.UNKNOWN_ID('clip', String(id).slice(0, 200), shown);
    }
    return hit;
  }
}

// A metadata file that is not JSON (cut short by a crash, edited by hand) is skipped, not fatal.
function parseMeta(text: string): (Clip & { file: unknown }) | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? (value as Clip & { file: unknown }) : null;
  } catch {
    return null;
  }
}

// The listed fields of an upload's metadata (the stored file name stays on the server).
function clipOf({ id, path, origin, name, durationS, sampleRateHz, channels, bytes }: Clip): Clip {
  return { id, path, origin, name, durationS, sampleRateHz, channels, bytes };
}

function describe(audio: { sampleRateHz: number; channels: Float32Array[] }): Pick<Clip, 'durationS' | 'sampleRateHz' | 'channels'> {
  return { durationS: audio.channels[0].length / audio.sampleRateHz, sampleRateHz: audio.sampleRateHz, channels: audio.channels.length };
}

/** A shipped clip's shape and size: from a FLAC's STREAMINFO when it states its length (no decoding), else by decoding the file. */
async function describeFile(file: string): Promise<Pick<Clip, 'durationS' | 'sampleRateHz' | 'channels' | 'bytes'>> {
  const bytes = new Uint8Array(await readFile(file));
  const sniffed = sniffFormat(bytes);
  const info = sniffed?.format === 'flac' ? flacStreamInfo(bytes, sniffed.offset) : null;
  if (info && info.totalFrames > 0 && info.sampleRateHz > 0) return { durationS: info.totalFrames / info.sampleRateHz, sampleRateHz: info.sampleRateHz, channels: info.channels, bytes: bytes.length };
  return { ...describe(await decodeAudioFile(file)), bytes: bytes.length };
}

// Printable, short, no path separators: the name is shown in lists and error messages, never used as a path.
function displayName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^\p{L}\p{N} ._()-]/gu, '_').slice(0, 100);
  return clean === '' ? 'upload' : clean;
}

/** The absolute paths that the folder's clips.txt lists, or null when it has none. */
async function offeredEntries(dir: string): Promise<string[] | null> {
  const text = await readFile(join(dir, 'clips.txt'), 'utf8').catch(() => null);
  if (text === null) return null;
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .map((line) => join(dir, line).replace(/[\\/]+$/, ''));
}

async function audioFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && AUDIO_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Why a file-system call failed, in words or as its error code, never with the path it names. */
function fsReason(err: unknown): string {
  const fsErr = ((err as Error).cause ?? err) as NodeJS.ErrnoException;
  const words = describeFsError(fsErr);
  return words === fsErr.message ? (fsErr.code ?? 'an I/O error') : words;
}
