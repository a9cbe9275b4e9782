import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileConfig, Observer, startServer, type TestServer } from './helpers.ts';
import { NOT_BUILT } from '../../server/routes/static.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';

let server: TestServer;
let noDist: string;
beforeAll(async () => {
  noDist = await mkdtemp(join(tmpdir(), 'earshot-nodist-'));
  server = await startServer({ clientDist: noDist });
});
afterAll(async () => {
  await server?.close();
  await rm(noDist, { recursive: true, force: true });
});

const get = (url: string) => server.app.inject({ method: 'GET', url });

describe('REST: catalogue', () => {
  it('GET /api/health', async () => {
    const res = await get('/api/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', server: 'earshot', protocol: 1, streams: 0, device: 'not started' });
  });

  it('GET /api/models lists the registry without server paths', async () => {
    const models = (await get('/api/models')).json() as Record<string, unknown>[];
    const naive = models.find((m) => m.id === 'naive-logmel');
    expect(naive).toMatchObject({ family: 'naive-logmel', sampleRateHz: 16000, embeddingSize: 512, available: true, missing: [] });
    expect(JSON.stringify(models)).not.toContain('/work/');
    expect(Object.keys(naive!)).not.toContain('manifest');
  });

  it('GET /api/rirs and /api/noises list ids, layouts and licences, not files', async () => {
    const rirs = (await get('/api/rirs')).json() as Record<string, unknown>[];
    expect(rirs.find((r) => r.id === 'street')).toMatchObject({ kind: 'measured', layout: 'stereo', channels: 2, origin: 'shipped', license: 'GPL-2.0-or-later' });
    expect(rirs.find((r) => r.id === 'hall-foa')).toMatchObject({ layout: 'foa', channels: 4 });
    const noises = (await get('/api/noises')).json() as Record<string, unknown>[];
    expect(noises.find((n) => n.id === 'cafe')).toMatchObject({ kind: 'recording', license: 'CC0-1.0' });
    expect(noises.find((n) => n.id === 'pink')).toMatchObject({ kind: 'synthetic' });
    expect(JSON.stringify([rirs, noises])).not.toMatch(/"file"|\.wav/);
  });

  it('GET /api/clips lists the shipped speech that clips.txt offers, in its order, by id and stream path', async () => {
    const clips = (await get('/api/clips')).json() as Record<string, unknown>[];
    // 20 held-out keyword clips first (the dashboard's default), then the 30 digits and the 56 wake-word clips; not the other keywords.
    expect(clips).toHaveLength(20 + 30 + 56);
    expect(clips[0]).toMatchObject({ id: 'keywords/down/down_002', path: 'speech/keywords/down/down_002.flac' });
    expect(clips.filter((c) => String(c.id).startsWith('keywords/'))).toHaveLength(20);
    expect(clips.find((c) => c.id === 'digits/en/7')).toMatchObject({ path: 'speech/digits/en/7.wav', origin: 'shipped', sampleRateHz: 16000, channels: 1 });
    // Sizes are the files' own (a FLAC's length comes from its header, not from decoding it).
    const seven = statSync(join(PACKAGE_ROOT, 'speech', 'digits', 'en', '7.wav')).size;
    expect(clips.find((c) => c.id === 'digits/en/7')?.bytes).toBe(seven);
    expect(clips[0]).toMatchObject({ durationS: 1, bytes: statSync(join(PACKAGE_ROOT, 'speech', 'keywords', 'down', 'down_002.flac')).size });
  });

  it('GET /api/probes lists trained probes of --probes-dir (none by default)', async () => {
    expect((await get('/api/probes')).json()).toEqual([]);
  });

  it('GET /metrics speaks Prometheus from the app registry, process metrics included', async () => {
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/^earshot_process_resident_memory_bytes \d+/m);
    expect(res.body).toMatch(/^earshot_streams 0$/m);
    expect(res.body).toMatch(/^earshot_ws_clients 0$/m);
  });

  it('/ says the dashboard is not built when client/dist is missing', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe(NOT_BUILT);
    expect(res.body).toMatch(/dashboard not built: run npm run build/);
  });
});

describe('REST: bad input gets { code, message } and the right status', () => {
  // A well-behaved WebSocket client watches a stream throughout.
  let observer: Observer;
  let watchedId: string;
  beforeAll(async () => {
    watchedId = (await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig() })).json().id;
    observer = await Observer.watch(server.ws, watchedId);
  });
  afterEach(async () => {
    await observer.assertSteady();
    expect(server.app.streams.list().map((s) => s.id)).toEqual([watchedId]);
  });
  afterAll(async () => {
    observer?.client.close();
    await server.app.inject({ method: 'DELETE', url: `/api/streams/${watchedId}` });
  });

  const post = (url: string, payload: string | object, headers: Record<string, string> = {}) =>
    server.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

  it('an unknown route', async () => {
    const res = await get('/api/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'EARSHOT_NOT_FOUND', message: expect.stringMatching(/no route GET \/api\/nope/) });
  });

  it('malformed JSON', async () => {
    const res = await post('/api/streams', '{"source": ');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'EARSHOT_INVALID_JSON', message: expect.stringMatching(/JSON/) });
  });

  it('a body that is not JSON', async () => {
    const xml = await post('/api/streams', '<config/>', { 'content-type': 'application/xml' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toEqual({ code: 'EARSHOT_UNSUPPORTED_MEDIA_TYPE', message: expect.stringMatching(/application\/xml/) });
    const text = await post('/api/streams', 'hello', { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(400);
    expect(text.json()).toEqual({ code: 'EARSHOT_INVALID_REQUEST', message: 'a stream config must be a JSON object with source and models, got string' });
  });

  it('a body over 1 MiB', async () => {
    const res = await post('/api/streams', { source: { kind: 'push', sampleRateHz: 16000 }, models: ['naive-logmel'], pad: 'x'.repeat(1.1e6) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('EARSHOT_BODY_TOO_LARGE');
  });

  it.each([
    [{ models: ['naive-logmel'] }, 400, 'EARSHOT_INVALID_REQUEST', /source must be an object/],
    [{ source: { kind: 'tape' }, models: ['naive-logmel'] }, 400, 'EARSHOT_INVALID_REQUEST', /source.kind = "tape": must be "file", "push" or "mic"/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: [] }, 400, 'EARSHOT_INVALID_REQUEST', /models = \[\]/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: ['naive-logmel', 'naive-logmel'] }, 400, 'EARSHOT_INVALID_REQUEST', /lists "naive-logmel" twice/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: ['naive-logmel'], colour: 'red' }, 400, 'EARSHOT_INVALID_REQUEST', /unknown stream config field "colour"/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: ['naive-logmel'], condition: { snrDb: 200 } }, 400, 'EARSHOT_INVALID_CONDITION', /snrDb = 200: snrDb must be a signal-to-noise ratio in dB from -30 to 80/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: ['naive-logmel'], condition: { snrDb: 5, snrMode: 'loud' } }, 400, 'EARSHOT_INVALID_CONDITION', /snrMode = "loud": snrMode must be "pooled" .* or "per-channel"/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: ['naive-logmel'], condition: { snrDb: 5, recipe: 'nathear' } }, 400, 'EARSHOT_INVALID_CONDITION', /recipe = "nathear" renders whole clips only .* snrMode "per-channel"/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: ['naive-logmel'], condition: { snrDb: 5, noise: { ids: ['volcano'] } } }, 404, 'EARSHOT_UNKNOWN_ID', /unknown noise "volcano". Known: cafe/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: ['naive-logmel'], condition: { room: { bank: 'cathedral' } } }, 404, 'EARSHOT_UNKNOWN_ID', /unknown RIR "cathedral"/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: ['gpt-audio'] }, 404, 'EARSHOT_UNKNOWN_ID', /unknown model "gpt-audio". Known: .*naive-logmel/],
    [{ source: { kind: 'file', path: 'digits/en/7' }, models: ['naive-logmel'], probes: ['gender'] }, 404, 'EARSHOT_UNKNOWN_ID', /unknown probe "gender". Known: \(none: this server offers no probes\)/],
    [{ source: { kind: 'file', path: 'digits/xx/1' }, models: ['naive-logmel'] }, 404, 'EARSHOT_UNKNOWN_ID', /unknown clip "digits\/xx\/1". Known: keywords\/down\/down_002/],
  ])('POST /api/streams %j -> %i %s', async (body, status, code, message) => {
    const res = await post('/api/streams', body);
    expect(res.json()).toEqual({ code, message: expect.stringMatching(message) });
    expect(res.statusCode).toBe(status);
  });

  it('a push source over REST is refused: only the WebSocket that starts it can feed it', async () => {
    const res = await post('/api/streams', { source: { kind: 'push', sampleRateHz: 16000 }, models: ['naive-logmel'] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'EARSHOT_INVALID_REQUEST', message: expect.stringMatching(/^source.kind = "push": .* send a "start" message on \/ws instead/) });
  });

  it.each(['/etc/passwd', '../../../etc/passwd', 'speech/../../package.json', 'speech/digits/en/../../../../package.json', 'uploads/../../package.json', '%2e%2e/package.json'])(
    'a file source can only name a listed clip: %s -> 404',
    async (path) => {
      const res = await post('/api/streams', { source: { kind: 'file', path }, models: ['naive-logmel'] });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('EARSHOT_UNKNOWN_ID');
    },
  );

  it('unknown stream ids: GET, PATCH and DELETE answer 404 listing the running ones', async () => {
    for (const [method, url] of [['GET', '/api/streams/zz'], ['PATCH', '/api/streams/zz/condition'], ['DELETE', '/api/streams/zz']] as const) {
      const res = await server.app.inject({ method, url, ...(method === 'PATCH' ? { payload: { snrDb: 5 } } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toEqual({ code: 'EARSHOT_UNKNOWN_ID', message: `unknown stream "zz". Known: ${watchedId}.` });
    }
  });

  it('too many streams: 429 naming the limit and how to free one', async () => {
    const small = await startServer({ maxStreams: 1 });
    try {
      const config = { source: { kind: 'file', path: 'digits/en/7', loop: true }, models: ['naive-logmel'], vad: false };
      const first = await small.app.inject({ method: 'POST', url: '/api/streams', payload: config });
      expect(first.statusCode, first.body).toBe(201);
      const second = await small.app.inject({ method: 'POST', url: '/api/streams', payload: config });
      expect(second.statusCode).toBe(429);
      expect(second.json()).toEqual({ code: 'EARSHOT_TOO_MANY_STREAMS', message: expect.stringMatching(/^1 streams are running, the most this server allows; stop one first/) });
    } finally {
      await small.close();
    }
  });

  it('a probe folder lists the probes that load and skips the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'earshot-probes-'));
    try {
      await writeFile(join(dir, 'broken.json'), '{');
      const other = await startServer({ probeDirs: [dir] });
      try {
        expect((await other.app.inject('/api/probes')).json()).toEqual([]);
      } finally {
        await other.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
