import { Errors } from '../../src/errors.ts';
import { requireCommonJs } from '../../src/commonjs.ts';
import { parseClientJson } from '../jsonLimits.ts';

const fp = requireCommonJs<typeof import('fastify-plugin')>('fastify-plugin');

const ERROR_BY_KIND = { syntax: Errors.INVALID_JSON, depth: Errors.JSON_TOO_DEEP, prototype: Errors.FORBIDDEN_KEY } as const;

/**
 * Every `application/json` body goes through {@link parseClientJson} instead
 * of Fastify's parser: too deep a body (400 `EARSHOT_JSON_TOO_DEEP`) or a
 * prototype key (400 `EARSHOT_FORBIDDEN_KEY`) is refused by name before any
 * schema walks it. The app's `bodyLimit` still applies first.
 */
export const jsonBodyPlugin = fp(
  async (app) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      const text = body as string;
      if (text.trim() === '') return done(new Errors.INVALID_JSON('the body is empty; send a JSON object (or no Content-Type: application/json)'), undefined);
      const parsed = parseClientJson(text);
      if ('problem' in parsed) return done(new ERROR_BY_KIND[parsed.problem.kind](`request body: ${parsed.problem.message}`), undefined);
      done(null, parsed.value);
    });
  },
  { fastify: '5.x', name: 'earshot-json-body' },
);
