import { Errors } from '../../src/errors.ts';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { requireCommonJs } from '../../src/commonjs.ts';
import { isLoopbackHost, type ServerOptions } from '../options.ts';

const fp = requireCommonJs<typeof import('fastify-plugin')>('fastify-plugin');

/**
 * Routes that need no token: the dashboard's static files (they hold no data;
 * the page then sends its `?token=` to the API). Decided by the route that
 * matched, not by the URL's text, which may be percent-encoded (`/%61pi/...`).
 */
const PUBLIC_ROUTES = new Set(['/', '/*']);

/**
 * The checks every request goes through, before routing to any area:
 *
 * - **Host** (loopback only): the Host header must name a loopback host
 *   (localhost, 127.x, [::1]); this defeats DNS rebinding, where a web page
 *   reaches 127.0.0.1 under its own name.
 * - **Origin**: a request that carries one (every cross-site browser request
 *   does) must come from the server's own origin (the Host it was sent to)
 *   or an allowed origin; a WebSocket upgrade without Origin (a non-browser
 *   client) is accepted only on loopback.
 * - **Token** (when one is set; always when not on loopback): `Authorization:
 *   Bearer T` or `?token=T` on every API, metrics and WebSocket request.
 */
export const securityPlugin = fp<{ options: ServerOptions }>(
  async (app, { options }) => {
    const loopback = isLoopbackHost(options.host);
    const expected = options.token === undefined ? undefined : digest(options.token);
    const allowed = new Set(options.allowOrigins.map((o) => o.toLowerCase()));

    app.addHook('onRequest', async (request) => {
      const host = request.headers.host ?? '';
      if (loopback && !isLoopbackHost(hostname(host))) {
        throw new Errors.FORBIDDEN_HOST(`Host ${JSON.stringify(host.slice(0, 100))} is not this machine: the server listens on loopback only; open it as http://127.0.0.1 or http://localhost`);
      }
      const origin = request.headers.origin;
      const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
      if (origin !== undefined) {
        if (!originAllowed(origin, host, allowed)) {
          throw new Errors.FORBIDDEN_ORIGIN(`Origin ${JSON.stringify(origin.slice(0, 100))} may not use this server; allowed: its own origin (http://${host})${allowed.size ? ` and ${[...allowed].join(', ')}` : ''} (serve --allow-origin adds one)`);
        }
      } else if (upgrade && !loopback) {
        throw new Errors.FORBIDDEN_ORIGIN('a WebSocket without an Origin header is accepted only when the server listens on loopback; send Origin: http://<this server>');
      }
      if (expected === undefined || PUBLIC_ROUTES.has(request.routeOptions.url ?? '')) return;
      const given = tokenOf(request);
      if (given === undefined) throw new Errors.UNAUTHORIZED('this server needs a token: send "Authorization: Bearer <token>" or add ?token=<token> to the URL');
      if (!timingSafeEqual(digest(given), expected)) throw new Errors.UNAUTHORIZED('wrong token');
    });
  },
  { fastify: '5.x', name: 'earshot-security' },
);

function tokenOf(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth !== undefined) return /^Bearer\s+(\S+)$/i.exec(auth)?.[1] ?? '';
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.token ?? new URL(request.url, 'http://x').searchParams.get('token') ?? undefined;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

// Compare digests, not the tokens: equal lengths for timingSafeEqual, and no length leak.
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function originAllowed(origin: string, host: string, allowed: Set<string>): boolean {
  const o = origin.toLowerCase();
  if (allowed.has(o)) return true;
  try {
    const url = new URL(o);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === new URL(`http://${host.toLowerCase()}`).host;
  } catch {
    return false;
  }
}

// "127.0.0.1:8080" -> "127.0.0.1", "[::1]:8080" -> "::1".
function hostname(host: string): string {
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}
