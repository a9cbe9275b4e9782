import { Type } from '../../src/typebox.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES } from '../plugins/errors.ts';
import { PROTOCOL_VERSION } from '../ws/frames.ts';

const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  server: Type.Literal('earshot'),
  version: Type.String(),
  protocol: Type.Integer({ description: 'WebSocket protocol version (server/PROTOCOL.md)' }),
  uptimeS: Type.Number(),
  streams: Type.Integer({ description: 'streams running' }),
  clients: Type.Integer({ description: 'WebSocket clients connected' }),
  models: Type.Integer({ description: 'models known (GET /api/models)' }),
  device: Type.String({ description: "where ONNX sessions run: 'cpu', 'cuda', or 'not started' before the first model loads" }),
});

/** `GET /api/health`: liveness plus a few counts. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ version: string }> = async (app, { version }) => {
  const started = performance.now();
  app.get('/api/health', { schema: { response: { 200: HealthSchema, ...ERROR_RESPONSES } } }, async () => ({
    status: 'ok' as const,
    server: 'earshot' as const,
    version,
    protocol: PROTOCOL_VERSION,
    uptimeS: (performance.now() - started) / 1000,
    streams: app.streams.list().length,
    clients: (await app.metrics.wsClients.get()).values[0]?.value ?? 0,
    models: app.models.list().length,
    device: app.pool.device ?? 'not started',
  }));
};
