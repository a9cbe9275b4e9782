import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryFrame, FRAME_KIND } from '../../server/ws/frames.ts';
import { fileConfig, startServer, TestClient, until, type TestServer } from './helpers.ts';

// Fair sharing, measured: event-loop lag and per-stream main-thread time on /metrics.

/** The value of one series in Prometheus text (first match), or undefined. */
function metric(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('fair sharing: what /metrics measures', () => {
  let server: TestServer;
  const scrape = async () => (await server.app.inject({ method: 'GET', url: '/metrics' })).body;

  beforeAll(async () => {
    server = await startServer();
  }, 60_000);
  afterAll(async () => server?.close());

  it('event-loop lag and stalls: a 150 ms block of the loop is seen as a stall and as the worst lag', async () => {
    await scrape(); // starts a fresh lag interval
    const before = metric(await scrape(), 'earshot_event_loop_stalls_total') ?? NaN;
    const t0 = performance.now();
    while (performance.now() - t0 < 150); // blocks this process's loop, which the server shares
    await new Promise((r) => setTimeout(r, 30)); // lets the stall timer run after the block
    const text = await scrape();
    expect(metric(text, 'earshot_event_loop_stalls_total')).toBeGreaterThan(before);
    expect(metric(text, 'earshot_event_loop_lag_seconds{quantile="max"}')).toBeGreaterThanOrEqual(0.1);
    expect(text).toContain('earshot_event_loop_lag_seconds{quantile="0.99"}');
  });

  it('a condition change to a simulated room runs the room simulator on a task thread, and the stream plays it', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig() });
    const id = res.json().id as string;
    const patch = await server.app.inject({ method: 'PATCH', url: `/api/streams/${id}/condition`, payload: { room: { rt60S: 0.9, dimensionsM: [5, 4, 3] } } });
    expect(patch.statusCode).toBe(200);
    expect(server.app.tasks.cpuMs.get('simulateRir')).toBeGreaterThan(0);
    expect(metric(await scrape(), 'earshot_task_cpu_seconds_total{task="simulateRir"}')).toBeGreaterThan(0);
    await until(async () => (await server.app.inject({ method: 'GET', url: `/api/streams/${id}` })).json().conditionVersion === 1, 20_000, 'the new room playing');
    await server.app.inject({ method: 'DELETE', url: `/api/streams/${id}` });
  });

  it('per-stream main-thread and scene-thread time grow while the stream runs, labelled by stream id', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig() });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    const series = `earshot_stream_main_thread_seconds_total{stream="${id}"}`;
    let first = 0;
    await until(async () => (first = metric(await scrape(), series) ?? 0) > 0, 30_000, 'main-thread time of the stream');
    await until(async () => (metric(await scrape(), series) ?? 0) > first, 30_000, 'main-thread time growing');
    // Its scene renders on a thread of its own, whose time is counted apart.
    const scene = `earshot_stream_scene_thread_seconds_total{stream="${id}"}`;
    let sceneFirst = 0;
    await until(async () => (sceneFirst = metric(await scrape(), scene) ?? 0) > 0, 30_000, 'scene-thread time of the stream');
    await until(async () => (metric(await scrape(), scene) ?? 0) > sceneFirst, 30_000, 'scene-thread time growing');
    await server.app.inject({ method: 'DELETE', url: `/api/streams/${id}` });
  });
});

describe('fair sharing: admission limits answer 4xx naming the limit', () => {
  let server: TestServer;
  const post = (payload: object) => server.app.inject({ method: 'POST', url: '/api/streams', payload });

  beforeAll(async () => {
    server = await startServer({ maxStreamsPerClient: 2, statsIntervalMs: 200 });
  }, 60_000);
  afterAll(async () => server?.close());

  it('a hop shorter than the server\'s minimum is refused before the stream opens', async () => {
    const res = await post(fileConfig({ hopS: 1e-9 }));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('EARSHOT_OVER_LIMIT');
    expect(res.json().message).toMatch(/naive-logmel.*minHopS.*hopS ≥ 0\.04/);
    expect(server.app.streams.list()).toHaveLength(0);
  });

  it('rolling CKA over the cost cap is refused with the largest ckaWindows that fits, which is then accepted', async () => {
    const res = await post(fileConfig({ ckaWindows: 1024 }));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('EARSHOT_OVER_LIMIT');
    const fits = Number(/ckaWindows ≤ (\d+)/.exec(res.json().message)?.[1]);
    expect(res.json().message).toMatch(/maxCkaCost/);
    expect(fits).toBeGreaterThanOrEqual(20);
    expect(fits).toBeLessThan(1024);
    const ok = await post(fileConfig({ ckaWindows: fits }));
    expect(ok.statusCode).toBe(201);
    const over = await post(fileConfig({ ckaWindows: fits + 1 }));
    expect(over.statusCode).toBe(400);
    await server.app.inject({ method: 'DELETE', url: `/api/streams/${ok.json().id as string}` });
  });

  it('one connection runs at most maxStreamsPerClient streams; another connection still starts its own', async () => {
    const greedy = await TestClient.open(server.ws);
    const other = await TestClient.open(server.ws);
    try {
      for (const id of [1, 2]) greedy.send({ type: 'start', config: fileConfig(), id });
      await greedy.waitFor((m) => m.type === 'started' && m.id === 2);
      await greedy.waitFor((m) => m.type === 'started' && m.id === 1);
      greedy.send({ type: 'start', config: fileConfig(), id: 3 });
      const refused = await greedy.waitFor((m) => m.type === 'error' && m.id === 3);
      expect(refused.code).toBe('EARSHOT_TOO_MANY_CLIENT_STREAMS');
      expect(refused.message).toMatch(/already runs 2 streams.*maxStreamsPerClient/);
      other.send({ type: 'start', config: fileConfig(), id: 'mine' });
      await other.waitFor((m) => m.type === 'started' && m.id === 'mine');
    } finally {
      greedy.close();
      other.close();
      await until(() => server.app.streams.list().length === 0, 20_000, 'streams stopped with their owners');
    }
  });

  it('push audio beyond a burst at 2x real time is dropped, counted in stats and /metrics, and the client is told', async () => {
    const c = await TestClient.open(server.ws);
    try {
      c.send({ type: 'start', config: { ...fileConfig(), source: { kind: 'push', sampleRateHz: 16000 } }, id: 'p' });
      const streamId = (await c.waitFor((m) => m.type === 'started')).streamId as string;
      const block = new Float32Array(1600).fill(0.01); // 0.1 s
      const push = (n: number) => {
        for (let i = 0; i < n; i++) {
          c.send({ type: 'audio', streamId });
          c.ws.send(binaryFrame(FRAME_KIND.audio, [block]));
        }
      };
      push(10); // 1 s at once: within the 2 s burst
      await c.waitFor((m) => m.type === 'stats' && m.streamId === streamId, 20_000, c.messages.length);
      const calm = await c.next('stats', streamId);
      expect(calm.pushDroppedS).toBe(0);
      push(100); // 10 s at once: most of it over the budget
      const warned = await c.waitFor((m) => m.type === 'error' && m.code === 'EARSHOT_PUSH_TOO_FAST');
      expect(warned.streamId).toBe(streamId);
      expect(warned.message).toMatch(/faster than 2x real time \(server option maxPushSpeed\)/);
      const stats = await c.waitFor((m) => m.type === 'stats' && m.streamId === streamId && (m.pushDroppedS as number) > 0, 20_000, c.messages.length);
      // Whole 0.1 s chunks are dropped; at least the burst (2 s, less the 1 s sent) went through.
      const dropped = stats.pushDroppedS as number;
      expect(dropped).toBeLessThanOrEqual(9);
      expect(Math.abs(dropped * 10 - Math.round(dropped * 10))).toBeLessThan(1e-6);
      const text = (await server.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metric(text, `earshot_stream_push_dropped_seconds_total{stream="${streamId}"}`)).toBeGreaterThan(0);
      expect(c.of('error').filter((m) => m.code === 'EARSHOT_PUSH_TOO_FAST')).toHaveLength(1); // told once, not per frame
    } finally {
      c.close();
    }
  });
});
