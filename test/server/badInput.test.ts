// Issue 4 item 7: bad input on the WebSocket. Each case gets a clear error, only the offending
// connection or stream is affected, and a well-behaved client watching another stream keeps
// receiving results throughout (Observer.assertSteady).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { binaryFrame, FRAME_KIND } from '../../server/ws/frames.ts';
import { fileConfig, Observer, startServer, TestClient, until, type TestServer } from './helpers.ts';

let server: TestServer;
let observer: Observer;
let watchedId: string;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startServer({
    ws: { maxTextBytes: 64 << 10, maxBinaryBytes: 256 << 10, hardMaxPayloadBytes: 1 << 20, maxBadFrames: 5, skipAboveBytes: 64 << 10, closeAboveBytes: 256 << 20, closeAfterBehindMs: 1000, closeGraceMs: 30_000 },
  });
  const res = await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig() });
  watchedId = res.json().id;
  observer = await Observer.watch(server.ws, watchedId);
});
afterEach(async () => {
  await observer.assertSteady();
  for (const c of clients.splice(0)) c.ws.terminate();
});
afterAll(async () => {
  observer?.client.close();
  await server?.close();
});

async function client(): Promise<TestClient> {
  const c = await TestClient.open(server.ws);
  clients.push(c);
  return c;
}

/** Send raw text and wait for the error it causes. */
async function errorFor(c: TestClient, text: string | object) {
  const from = c.messages.length;
  c.ws.send(typeof text === 'string' ? text : JSON.stringify({ v: 1, ...text }));
  return c.waitFor((m) => m.type === 'error', 10_000, from);
}

/** The connection still answers. */
async function stillOpen(c: TestClient): Promise<void> {
  c.send({ type: 'ping', t: 1 });
  await c.next('pong');
}

describe('bad frames get an error; the connection stays open', () => {
  it('malformed JSON', async () => {
    const c = await client();
    expect(await errorFor(c, '{"v":1,"type":')).toMatchObject({ code: 'EARSHOT_BAD_MESSAGE', message: expect.stringMatching(/^malformed JSON/) });
    await stillOpen(c);
  });

  it('an unknown message type, a wrong version, a missing field', async () => {
    const c = await client();
    expect(await errorFor(c, { type: 'teleport', id: 9 })).toMatchObject({ code: 'EARSHOT_BAD_MESSAGE', id: 9, message: 'unknown message type "teleport". Known: hello, subscribe, unsubscribe, start, condition, probeSettings, audio, stop, ping, streams' });
    expect((await errorFor(c, '{"v":7,"type":"ping","t":1}')).message).toMatch(/this server speaks protocol version 1/);
    expect((await errorFor(c, { type: 'condition', condition: {} })).message).toMatch(/"condition" message: streamId is missing/);
    await stillOpen(c);
  });

  it('an id that cannot be echoed (a 6000-deep object, a long string, a non-finite number) is refused by name, and the server runs on', async () => {
    const c = await client();
    // Nesting is refused before anything reads the message, the id included.
    const deep = `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`;
    for (const type of ['ping', 'subscribe']) {
      const err = await errorFor(c, `{"v":1,"type":"${type}","t":0,"streamId":"nope","id":${deep}}`);
      expect(err).toMatchObject({ code: 'EARSHOT_BAD_MESSAGE', message: 'JSON nesting deeper than 32 levels (objects and arrays inside one another); send a flatter value' });
      expect(err).not.toHaveProperty('id');
    }
    expect((await errorFor(c, { type: 'ping', t: 0, id: 'x'.repeat(201) })).message).toMatch(/^"id" must be/);
    expect((await errorFor(c, '{"v":1,"type":"ping","t":0,"id":1e999}')).message).toMatch(/^"id" must be/);
    await stillOpen(c);
    expect((await server.app.inject({ url: '/api/health' })).statusCode).toBe(200);
  });

  it('an oversized text frame and an oversized binary frame', async () => {
    const c = await client();
    const text = await errorFor(c, JSON.stringify({ v: 1, type: 'ping', t: 'x'.repeat(70_000) }));
    expect(text).toMatchObject({ code: 'EARSHOT_FRAME_TOO_LARGE', message: expect.stringMatching(/text frame of \d+ bytes; the limit is 65536 bytes/) });
    const from = c.messages.length;
    c.ws.send(Buffer.alloc(300 << 10));
    expect(await c.waitFor((m) => m.type === 'error', 10_000, from)).toMatchObject({ code: 'EARSHOT_FRAME_TOO_LARGE', message: 'binary frame of 307200 bytes; the limit is 262144 bytes (send audio in smaller blocks)' });
    await stillOpen(c);
  });

  it('a frame past the hard limit closes only that connection (1009)', async () => {
    const c = await client();
    c.ws.send(Buffer.alloc((1 << 20) + 10));
    expect(await c.closed()).toBe(1009);
  });

  it('an invalid condition: the condition validator\'s message comes back; the stream plays on', async () => {
    const owner = await client();
    owner.send({ type: 'start', config: fileConfig() });
    const id = (await owner.next('started', undefined, 30_000)).streamId as string;
    const err = await errorFor(owner, { type: 'condition', streamId: id, condition: { snrDb: 'loud' } });
    expect(err).toMatchObject({ code: 'EARSHOT_INVALID_CONDITION', streamId: id, message: 'invalid condition: snrDb = "loud": snrDb must be a signal-to-noise ratio in dB from -30 to 80, or "clean" for no noise' });
    expect((await errorFor(owner, { type: 'condition', streamId: id, condition: { receiver: 'quadraphonic' } })).message).toMatch(/receiver must be "auto" .*, "mono", "binaural"/);
    expect((await errorFor(owner, { type: 'condition', streamId: id, condition: { snrDb: 5, noise: { ids: ['volcano'] } } })).message).toMatch(/unknown noise "volcano". Known: cafe/);
    expect((await errorFor(owner, { type: 'condition', streamId: id, condition: { colour: 'red' } })).message).toMatch(/unknown field "colour"/);
    await owner.next('result', id);
    expect(server.app.streams.get(id).conditionVersion).toBe(0);
  });

  it('unknown ids: streams, models, clips, noises, RIRs, probes', async () => {
    const c = await client();
    for (const type of ['subscribe', 'stop', 'audio']) {
      expect(await errorFor(c, { type, streamId: 'nope' })).toMatchObject({ code: 'EARSHOT_UNKNOWN_ID', streamId: 'nope', message: expect.stringMatching(/unknown stream "nope". Known: /) });
    }
    c.ws.send(binaryFrame(FRAME_KIND.audio, [new Float32Array(4)])); // the refused "audio" message's frame is dropped quietly
    expect((await errorFor(c, { type: 'condition', streamId: 'nope', condition: {} })).code).toBe('EARSHOT_UNKNOWN_ID');
    const start = async (over: Record<string, unknown>) => (await errorFor(c, { type: 'start', config: fileConfig(over) })).message;
    expect(await start({ models: ['nope-model'] })).toMatch(/unknown model "nope-model"/);
    expect(await start({ source: { kind: 'file', path: '../../package.json' } })).toMatch(/unknown clip "..\/..\/package.json"/);
    expect(await start({ condition: { snrDb: 0, noise: { ids: ['nope'] } } })).toMatch(/unknown noise "nope"/);
    expect(await start({ condition: { room: { bank: 'nope' } } })).toMatch(/unknown RIR "nope"/);
    expect(await start({ probes: ['nope'] })).toMatch(/unknown probe "nope"/);
    expect(await start({ source: { kind: 'file', path: '/etc/passwd' }, colour: 1 })).toMatch(/unknown stream config field "colour"/);
    await stillOpen(c);
    expect(server.app.streams.list().map((s) => s.id)).toEqual([watchedId]);
  });

  it('another client\'s stream cannot be stopped or fed', async () => {
    const owner = await client();
    const other = await client();
    owner.send({ type: 'start', config: { ...fileConfig(), source: { kind: 'push', sampleRateHz: 16000 } } });
    const id = (await owner.next('started', undefined, 30_000)).streamId as string;
    expect(await errorFor(other, { type: 'stop', streamId: id })).toMatchObject({ code: 'EARSHOT_NOT_OWNER', message: expect.stringMatching(/belongs to another WebSocket connection/) });
    expect((await errorFor(other, { type: 'audio', streamId: id })).code).toBe('EARSHOT_NOT_OWNER');
    expect(await errorFor(other, { type: 'condition', streamId: id, condition: { snrDb: 0 } })).toMatchObject({ code: 'EARSHOT_NOT_OWNER', message: expect.stringMatching(/read-only/) });
    expect((await errorFor(other, { type: 'condition', streamId: watchedId, condition: { snrDb: 0 } })).message).toMatch(/started over REST; change its condition with PATCH/);
    expect(await errorFor(other, { type: 'probeSettings', streamId: id, probeSmooth: 4 })).toMatchObject({ code: 'EARSHOT_NOT_OWNER', message: expect.stringMatching(/only that connection can change its probe settings/) });
    expect((await errorFor(other, { type: 'stop', streamId: watchedId })).message).toMatch(/started over REST; stop it with DELETE/);
    expect(server.app.streams.get(id)).toBeDefined();
  });

  it('bad audio frames: not announced, no header, wrong kind, NaN samples, to a file stream', async () => {
    const owner = await client();
    owner.send({ type: 'start', config: { ...fileConfig(), source: { kind: 'push', sampleRateHz: 16000 } } });
    const id = (await owner.next('started', undefined, 30_000)).streamId as string;
    const binaryError = async (frame: Buffer, announce = true) => {
      const from = owner.messages.length;
      if (announce) owner.send({ type: 'audio', streamId: id });
      owner.ws.send(frame);
      return (await owner.waitFor((m) => m.type === 'error', 10_000, from)).message;
    };
    expect(await binaryError(binaryFrame(FRAME_KIND.audio, [new Float32Array(8)]), false)).toMatch(/a binary frame must follow an "audio" message/);
    expect(await binaryError(Buffer.from(new Float32Array(8).buffer))).toMatch(/must start with the 16-byte header/);
    expect(await binaryError(binaryFrame(FRAME_KIND.embeddings, [new Float32Array(8)]))).toMatch(/pushed audio must be a kind 2 frame, got kind 1/);
    expect(await binaryError(binaryFrame(FRAME_KIND.audio, [new Float32Array([0, 0.5, NaN])]))).toMatch(/pushed audio sample 2 is NaN/);
    owner.send({ type: 'audio', streamId: id });
    expect((await errorFor(owner, { type: 'ping', t: 0 })).message).toMatch(/must be followed by its binary frame/);
    const fileOwner = await client();
    fileOwner.send({ type: 'start', config: fileConfig() });
    const fileId = (await fileOwner.next('started', undefined, 30_000)).streamId as string;
    expect((await errorFor(fileOwner, { type: 'audio', streamId: fileId })).message).toMatch(/audio can only be sent to a "push" stream/);
  });

  it('a client that keeps sending bad frames is closed (1008); nobody else is', async () => {
    const c = await client();
    for (let i = 0; i < 5; i++) c.ws.send('nonsense');
    expect(await c.closed()).toBe(1008);
    expect(c.closeReason).toMatch(/5 bad frames within 10 s/);
  });
});

describe('clients that go away or fall behind', () => {
  it('a client that disconnects mid-stream: its streams stop, its resources are freed, others are unaffected', async () => {
    const owner = await client();
    const viewer = await client();
    owner.send({ type: 'start', config: fileConfig() });
    const id = (await owner.next('started', undefined, 30_000)).streamId as string;
    viewer.send({ type: 'subscribe', streamId: id });
    await viewer.next('result', id);
    const clientsBefore = (await server.app.inject('/api/health')).json().clients as number;
    owner.ws.terminate();
    expect(await viewer.next('stopped', id)).toMatchObject({ reason: 'owner disconnected' });
    await until(async () => (await server.app.inject('/api/health')).json().clients === clientsBefore - 1, 20_000, 'the client count to drop');
    expect(server.app.streams.list().map((s) => s.id)).toEqual([watchedId]);
    expect((await server.app.inject('/metrics')).body).not.toContain(`stream="${id}"`);
    await stillOpen(viewer);
  });

  it('a slow client (stops reading): its messages are skipped, then it is closed with 1013; the pipeline and others run on', async () => {
    // Two more paced streams with many results (hop 20 ms), so that the paused socket fills in seconds:
    // about 4 MB sit in the kernel's socket buffers on loopback before anything waits in the server.
    const busy: string[] = [];
    for (let i = 0; i < 2; i++) busy.push((await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig({ hopS: 0.04 }) })).json().id as string);
    const reader = await client();
    const slow = await client();
    for (const id of busy) reader.send({ type: 'subscribe', streamId: id });
    for (const id of [...busy, watchedId]) slow.send({ type: 'subscribe', streamId: id });
    await slow.next('result', busy[0]);
    slow.ws.pause();
    const skipped = () => server.app.metrics.wsSkipped.get().then((m) => m.values[0]?.value ?? 0);
    const slowCloses = () => server.app.metrics.wsSlowCloses.get().then((m) => m.values[0]?.value ?? 0);
    await until(async () => (await skipped()) > 0, 60_000, 'messages skipped for the slow client');
    await until(async () => (await slowCloses()) === 1, 30_000, 'the slow client to be closed');
    // Its subscriptions are gone at once; the streams play on for the reader.
    for (const id of [...busy, watchedId]) expect(server.app.streams.get(id).subscribers.has(slow as never)).toBe(false);
    const before = reader.of('result', busy[0]).length;
    await until(() => reader.of('result', busy[0]).length > before + 10, 30_000, 'more results for the reader');
    expect(reader.closeCode).toBeUndefined();
    expect(reader.of('stats').every((m) => m.skipped === 0)).toBe(true);
    // Once it reads again, the slow client finds the 1013 close after what was already queued.
    slow.ws.resume();
    expect(await slow.closed(30_000)).toBe(1013);
    expect(slow.closeReason).toMatch(/too far behind/);
    for (const id of busy) await server.app.inject({ method: 'DELETE', url: `/api/streams/${id}` });
  }, 120_000);
});
