import { Type } from '../../src/typebox.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ERROR_RESPONSES } from '../plugins/errors.ts';
import { DatasetSchema, SweepDetailSchema, SweepRequestSchema, SweepSummarySchema } from '../sweeps/schemas.ts';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/**
 * The sweeps API: start a small grid (202, it runs in the background), list
 * sweeps, follow one (its cells as they finish, its results once done), get
 * its report, cancel it. Progress is also pushed over /ws as `sweep`
 * messages. Data sets are named (GET /api/datasets), never located.
 */
export const sweepRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/datasets', { schema: { response: { 200: Type.Array(DatasetSchema), ...ERROR_RESPONSES } } }, async (request) =>
    app.sweeps.datasets.list((err, name) => request.log.warn({ err, dataset: name }, 'sweep data folder skipped')),
  );

  app.get('/api/sweeps', { schema: { response: { 200: Type.Array(SweepSummarySchema), ...ERROR_RESPONSES } } }, async () => app.sweeps.list());

  app.post(
    '/api/sweeps',
    {
      schema: { body: SweepRequestSchema, response: { 202: SweepSummarySchema, ...ERROR_RESPONSES } },
      // The schema documents the body; the manager parses it, so that its messages name the field and the fix.
      validatorCompiler: () => (data) => ({ value: data }),
    },
    async (request, reply) => {
      const state = await app.sweeps.start(request.body);
      return reply.status(202).send({ ...state, report: null });
    },
  );

  app.get('/api/sweeps/:id', { schema: { params: Params, response: { 200: SweepDetailSchema, ...ERROR_RESPONSES } } }, async (request) => app.sweeps.get(request.params.id));

  app.get('/api/sweeps/:id/report.html', { schema: { params: Params } }, async (request, reply) => {
    const html = await app.sweeps.report(request.params.id);
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:").send(html);
  });

  app.delete('/api/sweeps/:id', { schema: { params: Params, response: { 200: SweepDetailSchema, ...ERROR_RESPONSES } } }, async (request) => app.sweeps.cancel(request.params.id));
};
