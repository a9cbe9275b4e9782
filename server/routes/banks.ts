import { Type } from '../../src/typebox.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES } from '../plugins/errors.ts';
import { LAYOUT_CHANNELS } from '../../src/scene/rirBank.ts';

const Origin = Type.Union([Type.Literal('shipped'), Type.Literal('user')]);

const RirSchema = Type.Object({
  id: Type.String({ description: 'what a condition\'s room {"bank": ID} takes' }),
  kind: Type.String({ description: 'measured, synthesized or user' }),
  layout: Type.String({ description: 'mono, stereo, binaural, foa or array' }),
  channels: Type.Optional(Type.Integer({ description: 'channels of a fixed layout (an array says how many once loaded)' })),
  origin: Origin,
  license: Type.Optional(Type.String()),
  credit: Type.Optional(Type.String()),
  description: Type.String(),
});

const NoiseSchema = Type.Object({
  id: Type.String({ description: 'what a condition\'s noise.ids takes' }),
  kind: Type.Union([Type.Literal('recording'), Type.Literal('synthetic')]),
  origin: Origin,
  license: Type.Optional(Type.String()),
  credit: Type.Optional(Type.String()),
  description: Type.String(),
});

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
