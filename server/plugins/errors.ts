import type { FastifyError } from 'fastify';
import { requireCommonJs } from '../../src/commonjs.ts';
import { Type } from '../../src/typebox.ts';
import { type ErrorCode, errorCode, isEarshotError } from '../../src/errors.ts';

const fp = requireCommonJs<typeof import('fastify-plugin')>('fastify-plugin');

/** Every error answer: `{ code, message }` with the error's HTTP status. */
export const ErrorSchema = Type.Object(
  {
    code: Type.String({ description: 'an EARSHOT_* code (src/errors.ts)' }),
    message: Type.String({ description: 'what is wrong and how to fix it' }),
  },
  { $id: 'EarshotError', description: 'an error' },
);

/** Response schemas every route shares for its error statuses. */
export const ERROR_RESPONSES = { '4xx': ErrorSchema, '5xx': ErrorSchema } as const;

// Fastify's own request errors, given earshot codes (status kept).
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_VALIDATION: errorCode('INVALID_REQUEST'),
  FST_ERR_CTP_INVALID_JSON_BODY: errorCode('INVALID_JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: errorCode('INVALID_JSON'),
  FST_ERR_CTP_BODY_TOO_LARGE: errorCode('BODY_TOO_LARGE'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: errorCode('UNSUPPORTED_MEDIA_TYPE'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: errorCode('INVALID_REQUEST'),
  FST_REQ_FILE_TOO_LARGE: errorCode('UPLOAD_TOO_LARGE'),
};

// Fastify's own messages ("Unsupported Media Type") do not say what to send instead.
function friendlier(code: string, contentType: string | undefined): string | undefined {
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return `content type ${JSON.stringify(contentType ?? '(none)')} is not accepted here; send application/json (uploads: multipart/form-data)`;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'the request body is larger than 1 MiB; audio goes to POST /api/uploads (multipart) instead';
  return undefined;
}

/**
 * One error handler for the whole app: earshot errors answer with their own
 * code, message and status; Fastify's request errors (bad JSON, validation,
 * body too large, wrong content type) with an earshot code and their status;
 * anything else is a 500 whose details go to the log only. Unknown routes
 * answer 404 `EARSHOT_NOT_FOUND` naming the route.
 */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      // In the API's words, without server paths (clientMessage is decorated once the context plugin has run).
      const hide = (message: string) => (app.hasDecorator('clientMessage') ? app.clientMessage(message) : message);
      if (isEarshotError(err)) return reply.status(err.statusCode).send({ code: err.code, message: hide(err.message) });
      const status = err.statusCode ?? 500;
      if (status < 500) {
        const message = err.validation ? `invalid request: ${err.message}` : (friendlier(err.code, request.headers['content-type']) ?? err.message);
        return reply.status(status).send({ code: FASTIFY_CODES[err.code] ?? errorCode('INVALID_REQUEST'), message: hide(message) });
      }
      request.log.error({ err }, 'request failed');
      return reply.status(500).send({ code: errorCode('INTERNAL'), message: `internal error while serving ${request.method} ${request.url.split('?')[0]}; the server log has the details` });
    });
    app.setNotFoundHandler((request, reply) => {
      reply.status(404).send({ code: errorCode('NOT_FOUND'), message: `no route ${request.method} ${request.url.split('?')[0]}; the API is under /api (GET /api/health)` });
    });
  },
  { fastify: '5.x', name: 'earshot-errors' },
);
