// Child process of test/server/crashReplay.test.ts: a real server, set up as `earshot serve`
// sets it up (faults contained), whose streams are the real pipeline except that a stream
// whose condition has seed 666 throws from one of its timers and seed 667 leaves a promise
// rejection unhandled, both 0.5 s in: faults no code of the stream catches. And a WebSocket
// connection whose `ping` carries t 666 throws while handling that frame, t 667 throws later
// from a timer that frame started: faults of the connection's own work.
// Prints the server's address on stdout. Run: node dist/test/server/faultyServeChild.js UPLOADS_DIR
import { buildApp } from '../../server/app.ts';
import { containFaults } from '../../server/faultScope.ts';
import { pipelineStream } from '../../server/streams/pipelineStream.ts';
import { Connection } from '../../server/ws/connection.ts';

const handleFrame = Reflect.get(Connection.prototype, 'onFrame') as (this: Connection, data: Buffer, isBinary: boolean) => void;
Reflect.set(Connection.prototype, 'onFrame', function (this: Connection, data: Buffer, isBinary: boolean) {
  const text = isBinary ? '' : data.toString('utf8');
  if (text.includes('"t":666')) throw new Error('injected fault in a connection');
  if (text.includes('"t":667')) setTimeout(() => {
    throw new Error('injected fault in a connection timer');
  }, 10);
  handleFrame.call(this, data, isBinary);
});

const app = await buildApp({
  workers: 1,
  device: 'cpu',
  uploadsDir: process.argv[2],
  logger: { level: 'error' },
  createStream: async (config, ctx) => {
    const live = await pipelineStream(config, ctx);
    if (config.condition.seed === 666) setTimeout(() => {
      throw new Error('injected fault in a timer');
    }, 500);
    if (config.condition.seed === 667) setTimeout(() => void Promise.reject(new Error('injected unhandled rejection')), 500);
    return live;
  },
});
containFaults(app.log);
process.stdout.write(`${await app.listen({ port: 0, host: '127.0.0.1' })}\n`);
