import { Errors } from '../../src/errors.ts';
import { Type, Value } from '../../src/typebox.ts';
import type { FastifySchemaCompiler } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ConditionSchema } from '../../src/scene/condition.ts';
import { ERROR_RESPONSES } from '../plugins/errors.ts';
import { checkConditionIds, mergeCondition, parseStreamConfig, resolveStreamConfig } from '../streams/wireConfig.ts';
import { StreamSchema } from '../protocol/rest.ts';
import { StreamConfigWireSchema } from '../protocol/streamConfig.ts';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

const ConditionPatch = Type.Partial(Type.Object(ConditionSchema.properties), {
  description: 'condition fields to change; the others keep their current value (source and noise merge field by field)',
});

/**
 * Validate the body with a domain parser (its messages name the field and the
 * fix) while the route still declares the schema that documents it; other
 * parts are checked against their schema.
 */
function parsedBody(parse: (body: unknown) => unknown): FastifySchemaCompiler<unknown> {
  return ({ httpPart, schema }) =>
    (data) => {
      try {
        if (httpPart === 'body') return { value: parse(data) };
        const first = Value.Errors(schema as never, data).First();
        return first ? { error: new Errors.INVALID_REQUEST(`${httpPart}${first.path.replaceAll('/', '.')}: ${first.message.toLowerCase()}`) } : { value: data };
      } catch (err) {
        return { error: err as Error };
      }
    };
}

/**
 * The streams API: list, start (a StreamConfig whose file source names a
 * clip), change the condition live, stop. Streams started here belong to
 * no connection; PATCH and DELETE refuse a stream a WebSocket client owns.
 */
export const streamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/streams', { schema: { response: { 200: Type.Array(StreamSchema), ...ERROR_RESPONSES } } }, async () => app.streams.infos());

  app.get('/api/streams/:id', { schema: { params: Params, response: { 200: StreamSchema, ...ERROR_RESPONSES } } }, async (request) => app.streams.info(request.params.id));

  app.post(
    '/api/streams',
    { schema: { body: StreamConfigWireSchema, response: { 201: StreamSchema, ...ERROR_RESPONSES } }, validatorCompiler: parsedBody(parseStreamConfig) },
    async (request, reply) => {
      // Only a WebSocket can send audio, so a push stream started here could never be fed and would hold a slot.
      if (request.body.source.kind === 'push') {
        throw new Errors.INVALID_REQUEST('source.kind = "push": a push stream is fed over the WebSocket that starts it; send a "start" message on /ws instead (PROTOCOL.md). Over REST, start a "file" or "mic" source');
      }
      const config = await resolveStreamConfig(request.body, app);
      const stream = await app.streams.start(request.body, config, null);
      return reply.status(201).send(app.streams.info(stream.id));
    },
  );

  app.patch(
    '/api/streams/:id/condition',
    {
      schema: { params: Params, body: ConditionPatch, response: { 200: StreamSchema, ...ERROR_RESPONSES } },
      validatorCompiler: parsedBody((body) => {
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Errors.INVALID_REQUEST('the body must be a JSON object of condition fields, e.g. {"snrDb": 5}');
        return body;
      }),
    },
    async (request) => {
      const stream = app.streams.get(request.params.id);
      if (stream.ownerId !== null) {
        throw new Errors.NOT_OWNER(`stream ${request.params.id} belongs to a WebSocket connection; only that connection can change its condition (others watch it read-only)`);
      }
      const condition = mergeCondition(stream.requested, request.body);
      checkConditionIds(condition, app.banks);
      return app.streams.info((await app.streams.setCondition(request.params.id, condition)).id);
    },
  );

  app.delete('/api/streams/:id', { schema: { params: Params, response: { 204: Type.Null(), ...ERROR_RESPONSES } } }, async (request, reply) => {
    await app.streams.stop(request.params.id, 'deleted over REST', null);
    return reply.status(204).send(null);
  });
};
