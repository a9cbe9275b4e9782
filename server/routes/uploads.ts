import { Errors } from '../../src/errors.ts';
import { requireCommonJs } from '../../src/commonjs.ts';
import { Type } from '../../src/typebox.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES } from '../plugins/errors.ts';
import { readUploadPart, shortestWindow } from '../uploads/request.ts';
import { ClipSchema } from '../protocol/rest.ts';

const multipart = requireCommonJs<typeof import('@fastify/multipart')>('@fastify/multipart');

/**
 * `GET /api/clips` (shipped speech and uploads) and `POST /api/uploads`
 * (multipart/form-data, one file part). An upload is decoded before it is
 * kept, on a task thread: not audio answers 415 (UNKNOWN_FORMAT), corrupt,
 * empty or NaN audio, a rate outside 8000..192000 Hz or audio shorter than
 * every model's window 422, more than `maxUploadBytes` or
 * `maxUploadDurationS` 413 (the duration read from the header first), a
 * multipart body that cannot be read 400, no room under `maxUploadsBytes`
 * 507; it is stored under a generated id, the least recently played uploads
 * deleted to make room.
 */
export const uploadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const limit = app.config.maxUploadBytes;
  await app.register(multipart, { limits: { fileSize: limit, files: 1, fields: 8, parts: 10, fieldSize: 1024 } });

  app.get('/api/clips', { schema: { response: { 200: Type.Array(ClipSchema), ...ERROR_RESPONSES } } }, async () => app.clips.list());

  app.post('/api/uploads', { schema: { consumes: ['multipart/form-data'], response: { 201: ClipSchema, ...ERROR_RESPONSES } } }, async (request, reply) => {
    if (!request.isMultipart()) {
      throw new Errors.NOT_MULTIPART('send the audio as multipart/form-data with one file part, e.g. curl -F file=@clip.wav http://127.0.0.1:8080/api/uploads');
    }
    const { bytes, filename } = await readUploadPart(request, limit, formatBytes(limit));
    // Decoded on a task thread: a long or hostile file holds that thread, not the event loop.
    const clip = await app.clips.addUpload(bytes, filename, shortestWindow(app.models), (b, name, maxS) => app.tasks.run('inspectUpload', b, name, maxS));
    request.log.info({ clip: clip.id, bytes: clip.bytes }, 'upload stored');
    return reply.status(201).send(clip);
  });
};

function formatBytes(n: number): string {
  return n >= 1e6 ? `${+(n / 1e6).toFixed(1)} MB` : `${+(n / 1e3).toFixed(1)} kB`;
}
