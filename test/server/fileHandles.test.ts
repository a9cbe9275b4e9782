import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectFault } from '../../src/pipeline/faultInjection.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import { fileConfig, startServer, TestClient, until, type TestServer } from './helpers.ts';

// A file stream holds its clip open while it reads; a stream stopped or failed must close it
// then, not leave it to the garbage collector (Node's "Closing file descriptor N on garbage
// collection", and an fd held until a collection happens to run).
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

/** This process's open file descriptors on `file` (the server runs in the test's process). */
function openOn(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed while listed
    }
  }
  return n;
}

/** Wait, a turn at a time, until the clip is open: the window can be shorter than a timer's tick. */
async function opened(file: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (openOn(file) === 0) {
    if (Date.now() > deadline) throw new Error(`${file} was never opened`);
    await new Promise((r) => setImmediate(r));
  }
}

const clipFile = (digit: number) => join(PACKAGE_ROOT, 'speech', 'digits', 'en', `${digit}.wav`);
const config = (digit: number) => fileConfig({ source: { kind: 'file', path: `digits/en/${digit}`, realtime: true, loop: true } });

describe('a file stream closes its clip on every path', () => {
  it('its client disconnecting while the stream starts (stopped before audio flowed)', async () => {
    const file = clipFile(1);
    const c = await TestClient.open(server.ws);
    c.send({ type: 'start', config: config(1) });
    c.ws.close();
    await opened(file);
    await until(() => openOn(file) === 0, 10_000, 'the clip closed once its stream stopped');
  });

  it('DELETE over REST while it plays', async () => {
    const file = clipFile(2);
    const res = await server.app.inject({ method: 'POST', url: '/api/streams', payload: config(2) });
    expect(res.statusCode, res.body).toBe(201);
    const c = await TestClient.open(server.ws);
    c.send({ type: 'subscribe', streamId: res.json().id });
    await c.next('result', res.json().id, 30_000);
    // A looping clip is closed at each end and opened again: wait for a moment it is open.
    await opened(file);
    await server.app.inject({ method: 'DELETE', url: `/api/streams/${res.json().id as string}` });
    await until(() => openOn(file) === 0, 10_000, 'the clip closed once its stream was deleted');
    c.close();
  });

  it('a step failing mid-stream', async () => {
    const file = clipFile(3);
    const c = await TestClient.open(server.ws);
    try {
      injectFault('renderScene');
      c.send({ type: 'start', config: config(3) });
      const id = (await c.next('started', undefined, 30_000)).streamId as string;
      await c.waitFor((m) => m.type === 'stopped' && m.streamId === id);
      await until(() => openOn(file) === 0, 10_000, 'the clip closed once its stream failed');
    } finally {
      c.close();
    }
  });
});
