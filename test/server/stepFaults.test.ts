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

describe('a stream whose stats fail ends like any failed stream', () => {
  it('GET /api/streams lists the others', async () => {
    // A stream started over REST has no subscriber, so the stats timer leaves it alone and the listing reads its stats first.
    const created = await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig({ source: { kind: 'file', path: 'digits/en/4', loop: true, realtime: true } }) });
    const id = created.json().id as string;
    injectFault(`stats ${id}`);
    const res = await server.app.inject({ method: 'GET', url: '/api/streams' });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as { id: string }[]).map((s) => s.id)).toEqual([victim.observer.streamId]);
    expect((await server.app.inject({ method: 'GET', url: `/api/streams/${id}` })).statusCode).toBe(404);
    await victim.observer.assertSteady();
  });

  it('the stats timer ends it too, its clients told', async () => {
    const c = await TestClient.open(server.ws);
    try {
      c.send({ type: 'start', config: fileConfig({ source: { kind: 'file', path: 'digits/en/4', loop: true, realtime: true } }) });
      const id = (await c.next('started', undefined, 30_000)).streamId as string;
      injectFault(`stats ${id}`);
      const error = await c.waitFor((m) => m.type === 'error' && m.streamId === id);
      expect(error).toMatchObject({ code: 'EARSHOT_STREAM_FAILED', message: `stream ${id} failed: fault injected into stats ${id}` });
      expect(await c.waitFor((m) => m.type === 'stopped' && m.streamId === id)).toMatchObject({ reason: `failed: ${error.message as string}` });
      expect(server.app.streams.list().map((s) => s.id)).toEqual([victim.observer.streamId]);
      await victim.observer.assertSteady();
    } finally {
      c.close();
    }
  });
});
