// The server's cost on top of the pipeline, and its memory over a long run.
//
// Latency: a paced (1x) looped shipped clip through MODEL (scene: RT60 0.6 s room, café at 10 dB), from the
// window's end (capturedAtMs, the wall clock when its last sample was "captured") to the result's arrival on
// a real `ws` client of `earshot serve` (a child process, loopback). Peer, same run, same config: the
// pipeline alone in this process (createLiveStream on its own pool), timed when results$ emits. The first
// WARMUP_S of each are left out. Ratio = server / pipeline (> 1: what serving adds).
// Memory: the same server with 4 such streams, one client subscribed to all of them, RSS read from the
// server's own /metrics every SAMPLE_S; growth = mean of the last minute over mean of the first minute
// (thirds of the run when it is shorter than 3 minutes). EARSHOT_BENCH_RSS_S sets the run (default 600 s,
// the 10 minutes), EARSHOT_BENCH_LATENCY_S each latency phase (default 30 s).
// Run: npx tsx test/bench/run.ts server
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { spawnServe } from '../helpers/serveProcess.ts';
import { ModelRegistry } from '../../src/encoders/registry.ts';
import { OnnxPool } from '../../src/encoders/runtime/index.ts';
import { createLiveStream } from '../../src/pipeline/liveStream.ts';
import { validateCondition } from '../../src/scene/condition.ts';
import { openBanks } from '../../src/scene/render.ts';
import { quantile } from '../../src/pipeline/metricsInternals.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';
import type { BenchReport, BenchRow } from './report.ts';

const MODEL = process.env.EARSHOT_BENCH_MODEL ?? 'oww-speech-embedding';
const LATENCY_S = Number(process.env.EARSHOT_BENCH_LATENCY_S ?? 30);
const RSS_S = Number(process.env.EARSHOT_BENCH_RSS_S ?? 600);
const WARMUP_S = 5;
const SAMPLE_S = 5;
const STREAMS = 4;
const CLIP = 'digits/en/7';
const CONDITION = { snrDb: 10, room: { rt60S: 0.6 }, noise: { ids: ['cafe'], sources: 1 } };
const wireConfig = { source: { kind: 'file', path: CLIP, realtime: true, loop: true }, models: [MODEL], condition: CONDITION };

/** Window end -> results$ in this process, ms, for `seconds` after the warm-up. */
async function pipelineLatencies(seconds: number): Promise<number[]> {
  const pool = new OnnxPool({ device: 'cpu' });
  try {
    const [banks, models] = await Promise.all([openBanks(), ModelRegistry.open()]);
    const path = join(PACKAGE_ROOT, 'speech', `${CLIP}.wav`);
    const stream = await createLiveStream({ source: { kind: 'file', path, realtime: true, loop: true }, models: [MODEL], probes: [], condition: validateCondition(CONDITION), ckaWindows: 20 }, { pool, banks, models });
    const out: number[] = [];
    const from = Date.now() + WARMUP_S * 1000;
    const sub = stream.results$.subscribe((r) => {
      if (Date.now() > from) out.push(Date.now() - r.capturedAtMs);
    });
    await sleep((WARMUP_S + seconds) * 1000);
    sub.unsubscribe();
    await stream.stop();
    return out;
  } finally {
    await pool.close();
  }
}

/** `earshot serve` on a free loopback port, in its own process. */
function startServer(uploads: string): Promise<{ child: ChildProcess; http: string }> {
  return spawnServe(['--device', 'cpu', '--uploads', uploads]);
}

/** A `ws` client that starts `count` streams and hands every result to `onResult`. */
async function client(http: string, count: number, onResult: (r: { capturedAtMs: number; streamId: string }, receivedAtMs: number) => void): Promise<{ ws: WebSocket; ids: string[]; stats: Map<string, { dropped: number; windows: number }> }> {
  const ws = new WebSocket(`${http.replace('http', 'ws')}/ws`);
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  const ids: string[] = [];
  const stats = new Map<string, { dropped: number; windows: number }>();
  const started = new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const received = Date.now();
      const m = JSON.parse(data.toString());
      if (m.type === 'result') onResult(m, received);
      else if (m.type === 'stats') stats.set(m.streamId, m);
      else if (m.type === 'started' && ids.push(m.streamId) === count) resolve();
      else if (m.type === 'error' || m.type === 'stopped') reject(new Error(`${m.type}: ${m.message ?? m.reason}`));
    });
  });
  for (let i = 0; i < count; i++) ws.send(JSON.stringify({ v: 1, type: 'start', config: wireConfig }));
  await started;
  return { ws, ids, stats };
}

async function rssMb(http: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  return Number(/^earshot_process_resident_memory_bytes (\d+)/m.exec(text)![1]) / 2 ** 20;
}

export default async function run(): Promise<BenchReport> {
  process.stderr.write(`pipeline alone, ${MODEL}, ${LATENCY_S} s...\n`);
  const alone = await pipelineLatencies(LATENCY_S);
  const uploads = await mkdtemp(join(tmpdir(), 'earshot-bench-'));
  const { child, http } = await startServer(uploads);
  try {
    process.stderr.write(`through earshot serve and a ws client, ${LATENCY_S} s...\n`);
    const served: number[] = [];
    const from = Date.now() + WARMUP_S * 1000;
    const one = await client(http, 1, (r, at) => at > from && served.push(at - r.capturedAtMs));
    await sleep((WARMUP_S + LATENCY_S) * 1000);
    one.ws.close();

    process.stderr.write(`RSS with ${STREAMS} streams for ${RSS_S} s, sampled every ${SAMPLE_S} s...\n`);
    let results = 0;
    const many = await client(http, STREAMS, () => results++);
    const samples: { t: number; mb: number }[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < RSS_S * 1000) {
      await sleep(SAMPLE_S * 1000);
      samples.push({ t: (Date.now() - t0) / 1000, mb: await rssMb(http) });
    }
    const dropped = [...many.stats.values()].reduce((n, s) => n + s.dropped, 0);
    const windows = [...many.stats.values()].reduce((n, s) => n + s.windows, 0);
    many.ws.close();

    const span = Math.min(60, RSS_S / 3);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(samples.filter((s) => s.t <= span).map((s) => s.mb));
    const last = mean(samples.filter((s) => s.t >= RSS_S - span).map((s) => s.mb));
    const p = (xs: number[], q: number) => quantile(Float64Array.from(xs), q);
    const latencyRow = (q: number, name: string): BenchRow => ({
      metric: `latency window end -> ws client, ${name}, ${MODEL}, 1 stream at 1x (peer: pipeline alone, ${alone.length} vs ${served.length} windows)`,
      value: p(served, q),
      unit: 'ms',
      baseline: p(alone, q),
      ratio: p(served, q) / p(alone, q),
      target: 'serving adds little: ratio near 1',
    });
    process.stderr.write(`RSS samples (MB): ${samples.map((s) => s.mb.toFixed(0)).join(' ')}\n`);
    return {
      name: 'server',
      rows: [
        latencyRow(0.5, 'p50'),
        latencyRow(0.99, 'p99'),
        { metric: `server RSS, first ${span} s mean, ${STREAMS} streams (${MODEL}, 1x, one client subscribed)`, value: first, unit: 'MB' },
        { metric: `server RSS, last ${span} s mean, after ${RSS_S} s`, value: last, unit: 'MB' },
        { metric: `server RSS growth over ${RSS_S} s (${windows} windows, ${dropped} dropped, ${results} results received)`, value: ((last - first) / first) * 100, unit: '%', target: '< 10%' },
      ],
    };
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(uploads, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
