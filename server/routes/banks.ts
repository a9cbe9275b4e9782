import { Type } from '../../src/typebox.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES } from '../plugins/errors.ts';
import { NoiseSchema, RirSchema } from '../protocol/rest.ts';
import { LAYOUT_CHANNELS } from '../../src/scene/rirBank.ts';

/** `GET /api/rirs` and `GET /api/noises`: the banks a condition can name (files stay on the server). */
export const bankRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/rirs', { schema: { response: { 200: Type.Array(RirSchema), ...ERROR_RESPONSES } } }, async () =>
    app.banks.rirs.list().map((e) => ({ id: e.id, kind: e.kind, layout: e.layout, channels: LAYOUT_CHANNELS[e.layout], origin: e.origin, license: e.license, credit: e.credit, description: e.description })),
  );
  app.get('/api/noises', { schema: { response: { 200: Type.Array(NoiseSchema), ...ERROR_RESPONSES } } }, async () =>
    app.banks.noises.list().map((e) => ({
      id: e.id,
      kind: e.file === '' ? ('synthetic' as const) : ('recording' as const),
      origin: e.origin,
      license: e.license,
      credit: e.credit,
      description: e.description,
    })),
  );
};
