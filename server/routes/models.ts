import { basename } from 'node:path';
import { Type } from '../../src/typebox.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { installHint } from '../../src/encoders/registry.ts';
import { listProbeIds, readProbeAt } from '../../src/probes/resolveProbe.ts';
import { ERROR_RESPONSES } from '../plugins/errors.ts';

const ModelSchema = Type.Object({
  id: Type.String(),
  family: Type.String({ description: 'front-end kind, which picks the encoder family' }),
  description: Type.String(),
  license: Type.String(),
  origin: Type.Union([Type.Literal('shipped'), Type.Literal('user')]),
  sampleRateHz: Type.Integer(),
  channels: Type.Integer(),
  windowS: Type.Number(),
  hopS: Type.Number(),
  embeddingSize: Type.Integer(),
  available: Type.Boolean({ description: 'every ONNX file is installed (streams can use it)' }),
  missing: Type.Array(Type.String(), { description: 'names of the files not installed' }),
  install: Type.String({ description: 'the command that gets the missing files' }),
});

const ProbeSchema = Type.Object({
  id: Type.String({ description: 'what StreamConfig.probes takes' }),
  modelId: Type.String({ description: 'the model whose embeddings it reads' }),
  classes: Type.Array(Type.String()),
  embeddingSize: Type.Integer(),
  kind: Type.Optional(Type.Literal('wakeword', { description: 'absent for a linear probe; "wakeword": ready-made wake-word heads (classes are the heads), scored per 80 ms with a threshold' })),
});

/** `GET /api/models` (the model registry, without server paths) and `GET /api/probes` (the probes of the server's probe folders: trained linear probes and wake-word heads). */
export const modelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/models', { schema: { response: { 200: Type.Array(ModelSchema), ...ERROR_RESPONSES } } }, async () =>
    app.models.list().map(({ manifest: m, origin, files, missing }) => ({
      id: m.id,
      family: m.frontEnd.kind,
      description: m.description,
      license: m.license,
      origin,
      sampleRateHz: m.sampleRateHz,
      channels: m.channels,
      windowS: m.windowS,
      hopS: m.hopS,
      embeddingSize: m.embeddingSize,
      available: missing.length === 0,
      missing: missing.map((role) => basename(files[role])),
      install: installHint(m),
    })),
  );

  app.get('/api/probes', { schema: { response: { 200: Type.Array(ProbeSchema), ...ERROR_RESPONSES } } }, async (request) => {
    const rows = [];
    for (const [id, path] of await listProbeIds(app.config.probeDirs)) {
      try {
        const p = await readProbeAt(path);
        if (p.kind === 'linear') rows.push({ id, modelId: p.file.modelId, classes: p.file.classes, embeddingSize: p.file.embeddingSize });
        else if (p.manifest.manifest.input.kind === 'embeddings') {
          const encoder = p.manifest.manifest.input.encoder;
          const embeddingSize = app.models.list().find((m) => m.manifest.id === encoder)?.manifest.embeddingSize ?? 0;
          rows.push({ id, modelId: encoder, classes: Object.keys(p.manifest.paths), embeddingSize, kind: 'wakeword' as const });
        }
      } catch (err) {
        request.log.warn({ err, id }, 'probe file skipped');
      }
    }
    return rows;
  });
};
