import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from 'rxjs';
import { injectFault } from '../../src/pipeline/faultInjection.ts';
import { fileConfig, Observer, startServer, TestClient, type TestServer } from './helpers.ts';

// A step that throws under a running server: its stream ends with a clear error to its clients,
// the victim stream beside it runs on, and nothing reaches RxJS's reportUnhandledError.
let server: TestServer;
let victim: { owner: TestClient; observer: Observer };
const escaped: unknown[] = [];

beforeAll(async () => {
  config.onUnhandledError = (err) => escaped.push(err);
  server = await startServer({ statsIntervalMs: 500 });
  const owner = await TestClient.open(server.ws);
  owner.send({ type: 'start', config: fileConfig() });
  const started = await owner.next('started', undefined, 30_000);
  victim = { owner, observer: await Observer.watch(server.ws, started.streamId as string) };
});
afterAll(async () => {
  config.onUnhandledError = null;
  victim?.owner.close();
  victim?.observer.client.close();
  await server?.close();
});

describe('a pipeline step that throws ends its own stream only', () => {
  it.each([
    ['fileSource', { realtime: true }],
    ['fileSource', { realtime: false }],
    ['renderScene', {}],
    ['slidingWindows', {}],
    ['encodeWindows', {}],
    ['audioFrames', {}],
  ])('%s %j', async (step, source) => {
    const c = await TestClient.open(server.ws);
    try {
      injectFault(step);
      c.send({ type: 'start', config: fileConfig({ source: { kind: 'file', path: 'digits/en/7', loop: true, ...source } }) });
      const id = (await c.next('started', undefined, 30_000)).streamId as string;
      const error = await c.waitFor((m) => m.type === 'error' && m.streamId === id);
      expect(error).toMatchObject({ code: 'EARSHOT_OPERATOR_FAILED', message: `the stream's ${step} step failed: fault injected into ${step}` });
      expect(await c.waitFor((m) => m.type === 'stopped' && m.streamId === id)).toMatchObject({ reason: `failed: ${error.message as string}` });
      expect(server.app.streams.list().map((s) => s.id)).toEqual([victim.observer.streamId]);
      await victim.observer.assertSteady();
      expect(escaped).toEqual([]);
    } finally {
      c.close();
    }
  });
});
