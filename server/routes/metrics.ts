import type { FastifyPluginAsync } from 'fastify';

/** `GET /metrics`: the app's Prometheus registry in the text exposition format. */
export const metricsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/metrics', async (_request, reply) => {
    reply.type(app.metrics.registry.contentType);
    return app.metrics.registry.metrics();
  });
};
