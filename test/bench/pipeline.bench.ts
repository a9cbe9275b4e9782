// The live pipeline on this machine, with oww-speech-embedding on a 2-worker pool (one per core of the
// 2-core reference machine), each stream a real-time paced, looped file of shipped speech:
// (a) latency from a window's last sample to its result (p50, p99), one stream, clean and degraded scene;
// (b) how many such streams run at once with no window dropped over MEASURE_S, each with a degraded scene
//     (SNR 5 dB, simulated room RT60 0.5 s, binaural, café noise): 16 first, then up by 4 until drops
//     (down by 4 if 16 drops). Every window encodes clean and degraded, and Silero VAD runs on every stream.
// The machine's load average is printed: other processes on these cores cost streams. Run: npm run bench -- pipeline
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { writeWav } from '../../src/audio/wav.ts';
import { loadAudio } from '../../src/audio/load.ts';
import { ModelRegistry } from '../../src/encoders/registry.ts';
import { OnnxPool } from '../../src/encoders/runtime/index.ts';
import { createLiveStream } from '../../src/pipeline/liveStream.ts';
import { quantile } from '../../src/pipeline/metricsInternals.ts';
import type { LiveStream, LiveStreamDeps, StreamConfig } from '../../src/pipeline/types.ts';
import { validateCondition, type Condition } from '../../src/scene/condition.ts';
import { openBanks } from '../../src/scene/render.ts';
import type { BenchReport, BenchRow } from './report.ts';

const MODEL = 'oww-speech-embedding';
const WARMUP_S = 3;
const LATENCY_S = 10;
const MEASURE_S = 18;
const STEP = 4;
const MAX_STREAMS = 40;
const DEGRADED = { snrDb: 5, room: { rt60S: 0.5 }, receiver: 'binaural', source: { azimuthDeg: 30, distanceM: 1.5 }, noise: { ids: ['cafe'], sources: 1 } };

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
const note = (line: string) => process.stderr.write(`  ${line}\n`);

async function speechFile(dir: string): Promise<string> {
  const root = join(import.meta.dirname, '..', '..', 'speech', 'digits', 'en');
  const clips = await Promise.all(Array.from({ length: 10 }, (_, d) => loadAudio(join(root, `${d}.wav`), { sampleRateHz: 16000, mono: true })));
  const x = new Float32Array(clips.reduce((n, c) => n + c.channels[0].length, 0));
  clips.reduce((at, c) => (x.set(c.channels[0], at), at + c.channels[0].length), 0);
  const path = join(dir, 'digits.wav');
  await writeWav(path, { sampleRateHz: 16000, channels: [x] }, 'float32');
  return path;
}

/** Streams of the given conditions; latencies (window end -> result) recorded once `measuring` is set. */
async function start(deps: LiveStreamDeps, path: string, conditions: Condition[]) {
  const latencies: number[] = [];
  const state = { measuring: false };
  const streams: LiveStream[] = [];
  for (const condition of conditions) {
    const config: StreamConfig = { source: { kind: 'file', path, realtime: true, loop: true }, models: [MODEL], probes: [], condition, ckaWindows: 32 };
    const stream = await createLiveStream(config, deps);
    stream.results$.subscribe((r) => void (state.measuring && latencies.push(r.sentAtMs - r.capturedAtMs)));
    streams.push(stream);
  }
  const dropped = () => streams.reduce((n, s) => n + s.stats().dropped, 0);
  const windows = () => streams.reduce((n, s) => n + s.stats().windows, 0);
  return { streams, latencies, state, dropped, windows, stop: () => Promise.all(streams.map((s) => s.stop())) };
}

async function latency(deps: LiveStreamDeps, path: string, condition: Condition) {
  const run = await start(deps, path, [condition]);
  await sleep(WARMUP_S);
  run.state.measuring = true;
  await sleep(LATENCY_S);
  await run.stop();
  return { p50: quantile(run.latencies, 0.5), p99: quantile(run.latencies, 0.99), dropped: run.dropped() };
}

async function sustained(deps: LiveStreamDeps, path: string, count: number) {
  const conditions = Array.from({ length: count }, (_, i) => validateCondition({ ...DEGRADED, seed: i }));
  const run = await start(deps, path, conditions);
  await sleep(WARMUP_S);
  const [d0, w0] = [run.dropped(), run.windows()];
  const cpu0 = process.cpuUsage();
  run.state.measuring = true;
  await sleep(MEASURE_S);
  const cpu = process.cpuUsage(cpu0);
  const result = { count, dropped: run.dropped() - d0, windows: run.windows() - w0, p50: quantile(run.latencies, 0.5), p99: quantile(run.latencies, 0.99), cores: (cpu.user + cpu.system) / 1e6 / MEASURE_S };
  await run.stop();
  note(`${count} streams: ${result.windows} windows, ${result.dropped} dropped, latency p50 ${result.p50.toFixed(0)} ms p99 ${result.p99.toFixed(0)} ms, process CPU ${result.cores.toFixed(2)} cores, load average ${loadavg()[0].toFixed(1)}`);
  return result;
}

export default async function run(): Promise<BenchReport> {
  const dir = await mkdtemp(join(tmpdir(), 'earshot-bench-'));
  const pool = new OnnxPool({ workers: 2, device: 'cpu', log: () => {} });
  try {
    const [banks, models] = await Promise.all([openBanks(), ModelRegistry.open()]);
    const deps: LiveStreamDeps = { pool, banks, models };
    const path = await speechFile(dir);
    note(`load average before: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const clean = await latency(deps, path, validateCondition({ snrDb: 'clean' }));
    const degraded = await latency(deps, path, validateCondition({ ...DEGRADED, seed: 0 }));
    note(`one stream: clean p50 ${clean.p50.toFixed(1)} p99 ${clean.p99.toFixed(1)} ms; degraded p50 ${degraded.p50.toFixed(1)} p99 ${degraded.p99.toFixed(1)} ms`);

    let best: Awaited<ReturnType<typeof sustained>> | null = null;
    let first = await sustained(deps, path, 16);
    if (first.dropped === 0) {
      best = first;
      for (let n = 16 + STEP; n <= MAX_STREAMS; n += STEP) {
        const r = await sustained(deps, path, n);
        if (r.dropped > 0) break;
        best = r;
      }
    } else {
      for (let n = 16 - STEP; n > 0 && best === null; n -= STEP) {
        first = await sustained(deps, path, n);
        if (first.dropped === 0) best = first;
      }
    }
    const rows: BenchRow[] = [
      { metric: 'window end -> result, 1 real-time stream, clean scene, p50', value: clean.p50, unit: 'ms' },
      { metric: 'window end -> result, 1 real-time stream, clean scene, p99', value: clean.p99, unit: 'ms' },
      { metric: 'window end -> result, 1 real-time stream, degraded scene (binaural room, 5 dB), p50', value: degraded.p50, unit: 'ms' },
      { metric: 'window end -> result, 1 real-time stream, degraded scene (binaural room, 5 dB), p99', value: degraded.p99, unit: 'ms' },
      { metric: `concurrent real-time degraded streams with no drops over ${MEASURE_S} s (2 workers)`, value: best?.count ?? 0, unit: 'streams', target: '>= 16' },
    ];
    if (best) {
      rows.push({ metric: `  at ${best.count} streams: window end -> result p50`, value: best.p50, unit: 'ms' });
      rows.push({ metric: `  at ${best.count} streams: window end -> result p99`, value: best.p99, unit: 'ms' });
      rows.push({ metric: `  at ${best.count} streams: process CPU (main thread + workers)`, value: best.cores, unit: 'cores' });
      rows.push({ metric: '  CPU per stream (at that count)', value: best.cores / best.count, unit: 'cores' });
      rows.push({ metric: '  projection: streams 2 idle cores would carry at that cost per stream', value: Math.floor(2 / (best.cores / best.count)), unit: 'streams' });
    }
    return { name: `Live pipeline: ${MODEL}, real-time file streams, clean + degraded encodes per window, Silero VAD, 2 ONNX workers (load average at the end ${loadavg()[0].toFixed(1)})`, rows };
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}
