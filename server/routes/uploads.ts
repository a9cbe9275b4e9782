import { Errors } from '../../src/errors.ts';
import multipart from '@fastify/multipart';
import { Type } from '../../src/typebox.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES } from '../plugins/errors.ts';

export const ClipSchema = Type.Object({
  id: Type.String(),
  path: Type.String({ description: 'what a file source takes: {"kind": "file", "path": PATH}' }),
  origin: Type.Union([Type.Literal('shipped'), Type.Literal('upload')]),
  name: Type.String({ description: 'file name as shipped or uploaded' }),
  durationS: Type.Number(),
  sampleRateHz: Type.Integer(),
  channels: Type.Integer(),
  bytes: Type.Integer({ description: 'size of an upload (0 for shipped clips)' }),
});

/**
 * `GET /api/clips` (shipped speech and uploads) and `POST /api/uploads`
 * (multipart/form-data, one file part). An upload is decoded before it is
 * kept: not audio answers 415 (UNKNOWN_FORMAT), corrupt, empty or NaN audio
 * 422, more than `maxUploadBytes` 413; it is stored under a generated id.
 */
export const uploadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const limit = app.config.maxUploadBytes;
  await app.register(multipart, { limits: { fileSize: limit, files: 1, fields: 8, parts: 10, fieldSize: 1024 } });

  app.get('/api/clips', { schema: { response: { 200: Type.Array(ClipSchema), ...ERROR_RESPONSES } } }, async () => app.clips.list());

  app.post('/api/uploads', { schema: { consumes: ['multipart/form-data'], response: { 201: ClipSchema, ...ERROR_RESPONSES } } }, async (request, reply) => {
    if (!request.isMultipart()) {
      throw new Errors.NOT_MULTIPART('send the audio as multipart/form-data with one file part, e.g. curl -F file=@clip.wav http://127.0.0.1:8080/api/uploads');
    }
    const part = await request.file();
    if (part === undefined) throw new Errors.INVALID_REQUEST('the upload has no file part; add one (form field of type file)');
    let bytes: Buffer;
    try {
      bytes = await part.toBuffer();
    } catch (err) {
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new Errors.UPLOAD_TOO_LARGE(formatBytes(limit));
      throw err;
    }
    const clip = await app.clips.addUpload(bytes, part.filename);
    request.log.info({ clip: clip.id, bytes: clip.bytes }, 'upload stored');
    return reply.status(201).send(clip);
  });
};

function formatBytes(n: number): string {
  return n >= 1e6 ? `${+(n / 1e6).toFixed(1)} MB` : `${+(n / 1e3).toFixed(1)} kB`;
}
