import type { FastifyPluginAsync } from 'fastify';
import { requireCommonJs } from '../../src/commonjs.ts';
import { Connection } from '../ws/connection.ts';
import { CLOSE } from '../ws/outbox.ts';

const websocket = requireCommonJs<typeof import('@fastify/websocket')>('@fastify/websocket');
const fp = requireCommonJs<typeof import('fastify-plugin')>('fastify-plugin');

/**
 * WebSocket support for the whole app. Registered at the root before the
 * security checks, so that an upgrade they refuse (401/403) is answered and
 * its socket closed like any request. Frames above `hardMaxPayloadBytes`
 * are refused by the WebSocket layer (close 1009). On shutdown every client
 * is closed with 1001, and cut a second later if it does not answer.
 */
export const websocketPlugin = fp<{ hardMaxPayloadBytes: number }>(
  async (app, { hardMaxPayloadBytes }) => {
    await app.register(websocket, {
      options: { maxPayload: hardMaxPayloadBytes },
      preClose(done) {
        const wss = this.websocketServer;
        for (const client of wss.clients) client.close(CLOSE.goingAway, 'server shutting down');
        // A client that does not answer the close (one that stopped reading) must not hold shutdown up.
        const cut = setTimeout(() => wss.clients.forEach((c) => c.terminate()), 1000);
        wss.close(() => {
          clearTimeout(cut);
          done();
        });
      },
    });
  },
  { fastify: '5.x', name: 'earshot-websocket' },
);

/**
 * The WebSocket at `/ws` (server/PROTOCOL.md): one {@link Connection} per
 * client. Frames over the protocol's limits get an `error` message.
 */
export const liveRoutes: FastifyPluginAsync<{ version: string }> = async (app, { version }) => {
  app.get('/ws', { websocket: true }, (socket, request) => {
    new Connection(socket, app, request.log, version);
  });
};
