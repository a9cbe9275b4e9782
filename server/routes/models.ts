import { basename } from 'node:path';
import { Type } from '../../src/typebox.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { installHint } from '../../src/encoders/registry.ts';
import { listProbeIds, readProbeAt } from '../../src/probes/resolveProbe.ts';
import { ERROR_RESPONSES } from '../plugins/errors.ts';
import { ModelSchema, ProbeSchema } from '../protocol/rest.ts';

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
