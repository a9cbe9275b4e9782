import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES } from '../plugins/errors.ts';
import { HealthSchema } from '../protocol/rest.ts';
import { PROTOCOL_VERSION } from '../ws/frames.ts';

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
