import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { requireCommonJs } from '../../src/commonjs.ts';
import type { FastifyPluginAsync } from 'fastify';

const fastifyStatic = requireCommonJs<typeof import('@fastify/static')>('@fastify/static');

/** What `/` answers when client/dist has not been built. */
export const NOT_BUILT = 'dashboard not built: run npm run build\n';

/**
 * The dashboard: client/dist as static files at `/` (no token needed for
 * them; see plugins/security.ts). Without a build, `/` answers 503 with a
 * line saying how to make one; the API works either way.
 */
export const staticRoutes: FastifyPluginAsync<{ root: string }> = async (app, { root }) => {
  if (existsSync(join(root, 'index.html'))) {
    await app.register(fastifyStatic, { root, prefix: '/', index: 'index.html', dotfiles: 'deny' });
    return;
  }
  app.get('/', async (_request, reply) => reply.status(503).type('text/plain; charset=utf-8').send(NOT_BUILT));
};
