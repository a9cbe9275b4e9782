import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import { Connection } from '../ws/connection.ts';
import { CLOSE } from '../ws/outbox.ts';

/**
 * The WebSocket at `/ws` (server/PROTOCOL.md). Frames above
 * `ws.hardMaxPayloadBytes` are refused by the WebSocket layer (close 1009);
 * smaller ones over the protocol's limits get an `error` message. Security
 * checks (Host, Origin, token) run on the upgrade request like on any other.
 * On shutdown every client is closed with 1001.
 */
export const liveRoutes: FastifyPluginAsync<{ version: string }> = async (app, { version }) => {
  await app.register(websocket, {
    options: { maxPayload: app.config.ws.hardMaxPayloadBytes },
    preClose(done) {
      for (const client of this.websocketServer.clients) client.close(CLOSE.goingAway, 'server shutting down');
      this.websocketServer.close(() => done());
    },
  });
  app.get('/ws', { websocket: true }, (socket, request) => {
    new Connection(socket, app, request.log, version);
  });
};
