import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireCommonJs } from '../src/commonjs.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { PACKAGE_VERSION } from '../src/paths.ts';
import { validateServerOptions, type ServerOptionsInput } from './options.ts';
import { contextPlugin } from './plugins/context.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { jsonBodyPlugin } from './plugins/jsonBody.ts';
import { securityPlugin } from './plugins/security.ts';
import { bankRoutes } from './routes/banks.ts';
import { healthRoutes } from './routes/health.ts';
import { liveRoutes, websocketPlugin } from './routes/live.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { modelRoutes } from './routes/models.ts';
import { staticRoutes } from './routes/static.ts';
import { streamRoutes } from './routes/streams.ts';
import { sweepRoutes } from './routes/sweeps.ts';
import { uploadRoutes } from './routes/uploads.ts';
import { pipelineStream } from './streams/pipelineStream.ts';
import { redactUrl } from './redactUrl.ts';
import { sharedSerializers } from './serializers.ts';

const Fastify = requireCommonJs<typeof import('fastify')>('fastify');

/**
 * Build the earshot server (never listens: `earshot serve` does). Options are
 * checked first, so a bad option (a public host without a token, a missing
 * bank folder) stops here with a clear message. Every area is a plugin; the
 * shared state (config, ONNX pool, banks, models, clips, streams, sweeps, metrics) is
 * decorated by one fastify-plugin, and one error handler answers
 * `{ code, message }` with the error's status.
 *
 * @example
 * const app = await buildApp({ port: 0 });
 * await app.listen({ port: 0, host: '127.0.0.1' });
 */
export async function buildApp(input: ServerOptionsInput = {}): Promise<FastifyInstance> {
  const options = validateServerOptions(input);
  const app = Fastify({
    logger: options.logger === false ? false : { ...(options.logger === true ? {} : options.logger), serializers: { req: redactedRequest } },
    bodyLimit: 1 << 20,
    // Reject what the schemas do not allow instead of silently dropping or coercing it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    schemaController: { compilersFactory: { buildSerializer: sharedSerializers() } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(errorsPlugin);
  await app.register(jsonBodyPlugin);
  await app.register(websocketPlugin, { hardMaxPayloadBytes: options.ws.hardMaxPayloadBytes });
  await app.register(securityPlugin, { options });
  await app.register(contextPlugin, { options, createStream: options.createStream ?? pipelineStream });
  await app.register(healthRoutes, { version: PACKAGE_VERSION });
  await app.register(modelRoutes);
  await app.register(bankRoutes);
  await app.register(uploadRoutes);
  await app.register(streamRoutes);
  await app.register(sweepRoutes);
  await app.register(metricsRoutes);
  await app.register(liveRoutes, { version: PACKAGE_VERSION });
  await app.register(staticRoutes, { root: options.clientDist });
  return app as unknown as FastifyInstance;
}

// Request log lines without the token a client may pass in the query, however it is spelled.
function redactedRequest(req: FastifyRequest): { method: string; url: string; remoteAddress: string } {
  return { method: req.method, url: redactUrl(req.url), remoteAddress: req.ip };
}
