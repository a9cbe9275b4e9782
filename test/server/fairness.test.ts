import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileConfig, startServer, until, type TestServer } from './helpers.ts';

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

  it('per-stream main-thread time grows while the stream runs and is labelled by stream id', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/streams', payload: fileConfig() });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    const series = `earshot_stream_main_thread_seconds_total{stream="${id}"}`;
    let first = 0;
    await until(async () => (first = metric(await scrape(), series) ?? 0) > 0, 30_000, 'main-thread time of the stream');
    await until(async () => (metric(await scrape(), series) ?? 0) > first, 30_000, 'main-thread time growing');
    await server.app.inject({ method: 'DELETE', url: `/api/streams/${id}` });
  });
});
