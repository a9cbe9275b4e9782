import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import type { WakeWordOutput } from '../../src/pipeline/types.ts';
import { probeDirs } from '../../src/probes/resolveProbe.ts';
import { WAKEWORD_FIXTURES } from '../helpers/openwakeword.ts';
import { binaryFrame, FRAME_KIND } from '../../server/ws/frames.ts';
import { fileConfig, startServer, TestClient, until, type TestServer } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ statsIntervalMs: 500, probeDirs: [join(PACKAGE_ROOT, 'models', 'trained')] });
});
afterAll(async () => {
  await server?.close();
});

async function startStream(client: TestClient, over: Record<string, unknown> = {}): Promise<string> {
  const from = client.messages.length;
  client.send({ type: 'start', config: fileConfig(over) });
  const started = await client.waitFor((m) => m.type === 'started' || m.type === 'error', 30_000, from);
  if (started.type === 'error') throw new Error(String(started.message));
  return started.streamId as string;
}

describe('WebSocket protocol v1', () => {
  it('hello -> welcome; ping -> pong with the same t and id', async () => {
    const c = await TestClient.open(server.ws);
    try {
      c.send({ type: 'hello', client: 'test' });
      expect(await c.next('welcome')).toMatchObject({ v: 1, server: 'earshot', protocol: 1, models: expect.arrayContaining(['naive-logmel']), streams: expect.any(Array) });
      c.send({ type: 'ping', t: 123.5, id: 'p1' });
      expect(await c.next('pong')).toMatchObject({ v: 1, t: 123.5, id: 'p1' });
    } finally {
      c.close();
    }
  });

  it('start -> started (defaults filled in), then results with embeddings, audio and stats, each binary frame after its message', async () => {
    const c = await TestClient.open(server.ws);
    try {
      c.send({ type: 'start', id: 42, config: { source: { kind: 'file', path: 'speech/digits/en/7.wav', loop: true }, models: ['naive-logmel'], condition: { snrDb: 5 }, vad: false } });
      const started = await c.next('started', undefined, 30_000);
      expect(started).toMatchObject({ id: 42, config: { source: { kind: 'file', path: 'speech/digits/en/7.wav', realtime: true, loop: true }, models: ['naive-logmel'], probes: [], ckaWindows: 20 } });
      expect((started.config as { condition: unknown }).condition).toEqual({ snrDb: 5, room: null, source: { azimuthDeg: 0, elevationDeg: 0, distanceM: 1.5 }, noise: { ids: ['cafe'], sources: 1 }, seed: 0 });
      const id = started.streamId as string;
      const result = await c.next('result', id);
      expect(result).toMatchObject({ model: 'naive-logmel', conditionVersion: 0, probe: null, embeddingDim: 512, metrics: { cosine: expect.any(Number) } });
      expect(result.data).toHaveLength(2 * 512);
      expect(result.t1S as number).toBeGreaterThan(result.t0S as number);
      const audio = await c.next('audio', id);
      expect(audio).toMatchObject({ sampleRateHz: 16000 });
      expect(audio.data).toHaveLength(2 * (audio.samples as number));
      // Windows the stream dropped (latest wins, when a busy machine falls behind real time) are counted per model;
      // nothing was skipped for this client, which reads everything.
      const stats = await c.next('stats', id);
      expect(stats).toMatchObject({ windows: expect.any(Number), dropped: expect.any(Number), skipped: 0 });
      expect(stats.models).toEqual({ 'naive-logmel': { windows: stats.windows, dropped: stats.dropped } });
    } finally {
      c.close();
    }
  });

  it('a clip that does not loop ends the stream by itself', async () => {
    const c = await TestClient.open(server.ws);
    try {
      const id = await startStream(c, { source: { kind: 'file', path: 'digits/en/7', loop: false } });
      expect(await c.next('stopped', id, 30_000)).toMatchObject({ reason: 'ended' });
      expect(c.of('result', id).length).toBeGreaterThan(0);
      expect(server.app.streams.list().map((s) => s.id)).not.toContain(id);
    } finally {
      c.close();
    }
  });

  it("audio messages carry the degraded scene's peak and samples past full scale: a -10 dB scene goes past it", async () => {
    const c = await TestClient.open(server.ws);
    try {
      const id = await startStream(c, { source: { kind: 'file', path: 'digits/en/7', realtime: false, loop: false }, condition: { snrDb: -10 } });
      await c.next('stopped', id, 30_000);
      const audio = c.of('audio', id);
      expect(audio.length).toBeGreaterThan(5);
      for (const a of audio) {
        // A mono scene: the frame's samples are the scene itself, so they give the same figures.
        const degraded = a.data!.subarray(a.samples as number);
        const peak = degraded.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(a.degradedPeakDbfs as number).toBeCloseTo(Math.max(-120, 20 * Math.log10(peak)), 4);
        expect(a.degradedClippedSamples).toBe(degraded.filter((v) => Math.abs(v) > 1).length);
      }
      const clipped = audio.filter((a) => (a.degradedClippedSamples as number) > 0);
      expect(clipped.length).toBeGreaterThan(0);
      for (const a of clipped) expect(a.degradedPeakDbfs as number).toBeGreaterThan(0);
    } finally {
      c.close();
    }
  });

  it('fans one stream out to many clients; a condition change reaches them all with its version', async () => {
    const owner = await TestClient.open(server.ws);
    const viewers = await Promise.all([1, 2, 3].map(() => TestClient.open(server.ws)));
    try {
      const id = await startStream(owner);
      // Any client lists the running streams; `mine` tells the one that started it.
      for (const [c, mine] of [[owner, true], [viewers[0], false]] as const) {
        c.send({ type: 'streams', id: 'list' });
        const listed = await c.waitFor((m) => m.type === 'streams' && m.id === 'list');
        expect(listed.streams).toEqual(expect.arrayContaining([expect.objectContaining({ id, owner: 'websocket', mine, conditionVersion: 0 })]));
      }
      for (const v of viewers) v.send({ type: 'subscribe', streamId: id });
      for (const v of viewers) expect(await v.next('condition', id)).toMatchObject({ conditionVersion: 0, condition: { snrDb: 10 } });
      const seqs = await Promise.all(viewers.map(async (v) => (await v.next('result', id)).seq));
      await until(() => viewers.every((v) => v.of('result', id).length >= 3), 20_000, 'three results each');
      // Every viewer sees the same windows (from the latest first one on, once each has got that far).
      const common = Math.max(...(seqs as number[]));
      await until(() => viewers.every((v) => v.of('result', id).some((m) => (m.seq as number) >= common)), 20_000, `result ${common} at every viewer`);
      for (const v of viewers) expect(v.of('result', id).map((m) => m.seq)).toContain(common);

      // Viewers watch read-only: only the owner changes the scene.
      viewers[0].send({ type: 'condition', streamId: id, condition: { snrDb: 0 }, id: 'viewer-change' });
      expect(await viewers[0].waitFor((m) => m.type === 'error' && m.id === 'viewer-change')).toMatchObject({ code: 'EARSHOT_NOT_OWNER', message: expect.stringMatching(/read-only/) });
      const patched = await server.app.inject({ method: 'PATCH', url: `/api/streams/${id}/condition`, payload: { snrDb: 0 } });
      expect(patched.statusCode).toBe(403);
      expect(patched.json()).toMatchObject({ code: 'EARSHOT_NOT_OWNER', message: expect.stringMatching(/belongs to a WebSocket connection/) });
      // Each client's messages from here on: the condition reaches them all about at once.
      const from = [owner, ...viewers].map((c) => c.messages.length);
      owner.send({ type: 'condition', streamId: id, condition: { snrDb: 0, room: { rt60S: 0.4 } } });
      for (const [i, c] of [owner, ...viewers].entries()) {
        const msg = await c.waitFor((m) => m.type === 'condition' && m.streamId === id, 20_000, from[i]);
        expect(msg).toMatchObject({ conditionVersion: 1, condition: { snrDb: 0, room: { rt60S: 0.4 }, noise: { ids: ['cafe'], sources: 1 } } });
      }
      await owner.waitFor((m) => m.type === 'result' && m.conditionVersion === 1, 20_000);
      // Changes merge over the last one asked for.
      owner.send({ type: 'condition', streamId: id, condition: { seed: 3 } });
      expect(await owner.next('condition', id)).toMatchObject({ condition: { snrDb: 0, room: { rt60S: 0.4 }, seed: 3 }, warnings: [] });
      // What preparing the scene warned about comes with the condition: a talker below KEMAR's lowest measured ring.
      owner.send({ type: 'condition', streamId: id, condition: { receiver: 'binaural', source: { elevationDeg: -60 } } });
      const warned = await owner.next('condition', id);
      expect(warned.warnings).toEqual([expect.stringMatching(/source elevation -60° is below the HRTF's measured range \(-40°\)/)]);

      viewers[2].send({ type: 'unsubscribe', streamId: id });
      // Messages are handled in order: once the pong is back, results sent before the unsubscribe took hold are in.
      viewers[2].send({ type: 'ping', t: 1, id: 'after-unsubscribe' });
      await viewers[2].waitFor((m) => m.type === 'pong' && m.id === 'after-unsubscribe');
      const count = viewers[2].of('result', id).length;
      await owner.next('result', id);
      await owner.next('result', id);
      expect(viewers[2].of('result', id).length).toBe(count);

      owner.send({ type: 'stop', streamId: id });
      for (const c of [owner, viewers[0], viewers[1]]) expect(await c.next('stopped', id)).toMatchObject({ reason: 'stopped by its client' });
    } finally {
      for (const c of [owner, ...viewers]) c.close();
    }
  });

  it('a push stream takes audio frames from its owner (browser microphone)', async () => {
    const c = await TestClient.open(server.ws);
    try {
      c.send({ type: 'start', config: { source: { kind: 'push', sampleRateHz: 16000 }, models: ['naive-logmel'], condition: {}, vad: false } });
      const id = (await c.next('started', undefined, 30_000)).streamId as string;
      const block = new Float32Array(1600).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000));
      for (let i = 0; i < 15; i++) {
        c.send({ type: 'audio', streamId: id });
        c.ws.send(binaryFrame(FRAME_KIND.audio, [block]));
      }
      const result = await c.next('result', id);
      expect(result.data).toHaveLength(1024);
      expect(c.of('error')).toEqual([]);
      c.send({ type: 'stop', streamId: id });
      await c.next('stopped', id);
    } finally {
      c.close();
    }
  });

  it('REST and WebSocket see the same streams: POST, PATCH and DELETE reach subscribers', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig() });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    expect(res.json()).toMatchObject({ owner: 'rest', config: { source: { path: 'digits/en/7' } }, conditionVersion: 0 });
    const c = await TestClient.open(server.ws);
    try {
      c.send({ type: 'hello' });
      expect((await c.next('welcome')).streams).toContain(id);
      c.send({ type: 'subscribe', streamId: id });
      await c.next('result', id);
      const listed = (await server.app.inject('/api/streams')).json() as { id: string; subscribers: number; stats: { windows: number } }[];
      expect(listed.find((s) => s.id === id)).toMatchObject({ subscribers: 1, stats: { windows: expect.any(Number) } });

      const bad = await server.app.inject({ method: 'PATCH', url: `/api/streams/${id}/condition`, payload: { source: { azimuthDeg: 400 } } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ code: 'EARSHOT_INVALID_CONDITION', message: expect.stringMatching(/source.azimuthDeg = 400/) });
      const unknownNoise = await server.app.inject({ method: 'PATCH', url: `/api/streams/${id}/condition`, payload: { snrDb: 5, noise: { ids: ['volcano'] } } });
      expect([unknownNoise.statusCode, unknownNoise.json().code]).toEqual([404, 'EARSHOT_UNKNOWN_ID']);
      const nathear = await server.app.inject({ method: 'PATCH', url: `/api/streams/${id}/condition`, payload: { snrDb: 5, recipe: 'nathear' } });
      expect([nathear.statusCode, nathear.json().code]).toEqual([400, 'EARSHOT_INVALID_CONDITION']);
      expect(nathear.json().message).toMatch(/recipe = "nathear" renders whole clips only/);
      // The condition message may reach the client before PATCH's answer does: look from before the PATCH.
      const before = c.messages.length;
      const patched = await server.app.inject({ method: 'PATCH', url: `/api/streams/${id}/condition`, payload: { snrDb: 3, snrMode: 'per-channel' } });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(await c.waitFor((m) => m.type === 'condition' && m.streamId === id, 20_000, before)).toMatchObject({ conditionVersion: 1, condition: { snrDb: 3, snrMode: 'per-channel' } });
      expect((await server.app.inject(`/api/streams/${id}`)).json()).toMatchObject({ conditionVersion: 1, condition: { snrDb: 3, snrMode: 'per-channel' } });

      const metrics = (await server.app.inject('/metrics')).body;
      for (const name of ['earshot_stream_cosine', 'earshot_stream_cosine_mean', 'earshot_stream_dropped_windows']) {
        expect(metrics).toMatch(new RegExp(`^${name}\\{stream="${id}",model="naive-logmel"\\} [-0-9.e]+$`, 'm'));
      }
      expect(metrics).toMatch(new RegExp(`^earshot_stream_latency_ms\\{stream="${id}",quantile="0.99"\\} [0-9.e]+$`, 'm'));
      expect(metrics).toMatch(/^earshot_ws_clients 1$/m);

      // A WebSocket client cannot stop a REST stream; DELETE can.
      c.send({ type: 'stop', streamId: id });
      expect(await c.next('error')).toMatchObject({ code: 'EARSHOT_NOT_OWNER', streamId: id, message: expect.stringMatching(/DELETE \/api\/streams/) });
      // The stream may stop (and say so) before DELETE answers: watch from before it.
      const sinceDelete = c.messages.length;
      expect((await server.app.inject({ method: 'DELETE', url: `/api/streams/${id}` })).statusCode).toBe(204);
      expect(await c.waitFor((m) => m.type === 'stopped' && m.streamId === id, undefined, sinceDelete)).toMatchObject({ reason: 'deleted over REST' });
      expect((await server.app.inject('/metrics')).body).not.toContain(`stream="${id}"`);
    } finally {
      c.close();
    }
  });

  it('a wake-word probe by id: per-window head scores and a detection of "hey jarvis"; the threshold changes live', async () => {
    const wake = await startServer({ probeDirs: probeDirs() });
    const c = await TestClient.open(wake.ws);
    try {
      const probes = (await wake.app.inject('/api/probes')).json() as { id: string; kind?: string; classes: string[] }[];
      expect(probes.find((p) => p.id === 'oww-wakeword')).toMatchObject({ kind: 'wakeword', modelId: 'oww-speech-embedding', embeddingSize: 96, classes: expect.arrayContaining(['hey_jarvis']) });
      expect(probes.map((p) => p.id)).not.toContain('silero-vad');
      const boundary = '----earshot-wake';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="hey.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
      const payload = Buffer.concat([Buffer.from(head), await readFile(join(WAKEWORD_FIXTURES, 'hey_jarvis_en-us_150.wav')), Buffer.from(`\r\n--${boundary}--\r\n`)]);
      const clip = (await wake.app.inject({ method: 'POST', url: '/api/uploads', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })).json() as { id: string };
      const from = c.messages.length;
      // Looped: on a busy machine a live stream drops windows rather than lag, so the detection is awaited over passes of the clip.
      c.send({ type: 'start', config: { source: { kind: 'file', path: clip.id, realtime: true, loop: true }, models: ['oww-speech-embedding'], probes: ['oww-wakeword'], condition: { snrDb: 20 }, vad: false, wakeThreshold: 0.4, probeSmooth: 2 } });
      const started = await c.waitFor((m) => m.type === 'started' || m.type === 'error', 30_000, from);
      expect(started).toMatchObject({ type: 'started', config: { probes: ['oww-wakeword'], wakeThreshold: 0.4, probeSmooth: 2 } });
      const id = started.streamId as string;
      c.send({ type: 'probeSettings', streamId: id, wakeThreshold: 0.6 });
      expect(await c.waitFor((m) => m.type === 'probeSettings' && m.wakeThreshold === 0.6, 10_000, from)).toMatchObject({ probeSmooth: 2 });
      const isJarvis = (h: { id: string }) => h.id === 'hey_jarvis';
      const heads = () => c.of('result', id).map((r) => (r.wakeword as WakeWordOutput).heads.find(isJarvis)!);
      await c.waitFor(() => heads().some((h) => h.detected.clean) && heads().some((h) => (h.degraded ?? 0) > 0.5) && heads().filter((h) => h.clean !== null).length > 5, 60_000, from);
      c.send({ type: 'stop', streamId: id });
      await c.next('stopped', id, 60_000);
      const results = c.of('result', id) as unknown as { t1S: number; wakeword: WakeWordOutput }[];
      const jarvis = results.map((r) => ({ t1S: r.t1S, threshold: r.wakeword.threshold, smooth: r.wakeword.smooth, ...r.wakeword.heads.find(isJarvis)! }));
      expect(jarvis[0]).toMatchObject({ clean: null, degraded: null, detected: { clean: false, degraded: false } });
      expect(jarvis.filter((j) => j.clean !== null).length).toBeGreaterThan(5);
      expect(jarvis.every((j) => j.smooth === 2)).toBe(true);
      // The change applies from the window after it: the speech (from 1 s on) is scored at 0.6.
      expect(jarvis.at(-1)!.threshold).toBe(0.6);
      const hits = jarvis.filter((j) => j.detected.clean);
      expect(hits.length).toBeGreaterThanOrEqual(1);
      for (const h of hits) expect(h.clean!).toBeGreaterThanOrEqual(h.threshold);
      expect(Math.max(...jarvis.map((j) => j.degraded ?? 0))).toBeGreaterThan(0.5);
    } finally {
      c.close();
      await wake.close();
    }
  });

  it('a stream with a shipped probe: predictions in each result, agreement in /metrics', async () => {
    expect((await server.app.inject('/api/probes')).json()).toEqual([{ id: 'keywords', modelId: 'oww-speech-embedding', classes: ['down', 'go', 'left', 'no', 'off', 'on', 'right', 'stop', 'up', 'yes'], embeddingSize: 96 }]);
    const c = await TestClient.open(server.ws);
    try {
      const id = await startStream(c, { models: ['oww-speech-embedding'], probes: ['keywords'] });
      const result = await c.next('result', id, 30_000);
      expect(result).toMatchObject({ model: 'oww-speech-embedding', embeddingDim: 96, probe: { id: expect.any(String), classes: ['down', 'go', 'left', 'no', 'off', 'on', 'right', 'stop', 'up', 'yes'] } });
      expect(result.data).toHaveLength(192);
      expect([0, 1]).toContain((result.metrics as { probeAgreement: number }).probeAgreement);
      expect((await server.app.inject('/metrics')).body).toMatch(new RegExp(`^earshot_stream_probe_agreement\\{stream="${id}",model="oww-speech-embedding"\\} [0-9.e]+$`, 'm'));
    } finally {
      c.close();
    }
  });

  it('REST cannot delete a stream a WebSocket client owns', async () => {
    const c = await TestClient.open(server.ws);
    try {
      const id = await startStream(c);
      const res = await server.app.inject({ method: 'DELETE', url: `/api/streams/${id}` });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ code: 'EARSHOT_NOT_OWNER', message: expect.stringMatching(/belongs to another WebSocket connection/) });
      await c.next('result', id);
    } finally {
      c.close();
    }
  });
});
