// Convolution speed: earshot's StreamingConvolver (PFFFT wasm, one JS thread) against
// ffmpeg's `afir` (one thread) on the same signals, in the same run.
//
// Signals: 600 s at 16 kHz (the fixture speech tiled) through a 2 s stereo IR
// (seeded exponentially decaying noise, RT60 1 s) and through the real 0.39 s
// 4-channel fixture IR. ffmpeg reads raw float32 (no WAV parsing), duplicates
// the mono input to K channels (`pan`) and runs afir=gtype=none:dry=1:wet=0.5 with
// its default partitions (minp=maxp=8192). ffmpeg's time is the wall time of a
// run on the 600 s input minus that of a run on 0.1 s with the same IR, so
// process start, IR loading and afir's setup cancel out; decoding raw input and
// `pan` stay in (a few % of its time). Ours is `convolve()` on in-memory arrays,
// IR transforms included. Best of 3 runs each. Run: npx tsx test/bench/run.ts convolution
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingConvolver, convolve } from '../../src/dsp/convolver.ts';
import { createRng } from '../../src/random.ts';
import { ir4, speech } from '../dsp/fixtures.ts';
import { bestOfMs, type BenchReport, type BenchRow } from './report.ts';

const SR = 16000;
const SECONDS = 600;
const RUNS = 3;

function tile(src: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += src.length) out.set(src.subarray(0, Math.min(src.length, n - i)), i);
  return out;
}

function decayingNoiseIr(channels: number, seconds: number, rt60S: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  const decay = Math.log(1000) / (rt60S * SR); // -60 dB after rt60S
  return Array.from({ length: channels }, () => Float32Array.from({ length: seconds * SR }, (_, i) => 0.1 * rng.normal() * Math.exp(-decay * i)));
}

function interleave(channels: Float32Array[], n = channels[0].length): Buffer {
  const out = new Float32Array(n * channels.length);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels.length; c++) out[i * channels.length + c] = channels[c][i];
  return Buffer.from(out.buffer);
}


/** afir over raw files; output to `out` (raw f32le) or discarded. Returns wall ms. */
function afir(dir: string, input: string, k: number, out: string | null): number {
  const pan = `pan=${k}c|${Array.from({ length: k }, (_, c) => `c${c}=c0`).join('|')}`;
  const args = ['-nostdin', '-v', 'error', '-threads', '1', '-filter_threads', '1', '-filter_complex_threads', '1',
    '-f', 'f32le', '-ar', String(SR), '-ac', '1', '-i', join(dir, input),
    '-f', 'f32le', '-ar', String(SR), '-ac', String(k), '-i', join(dir, `ir${k}.f32`),
    '-filter_complex', `[0:a]${pan}[s];[s][1:a]afir=gtype=none:dry=1:wet=0.5:irfmt=input`,
    ...(out ? ['-f', 'f32le', '-y', join(dir, out)] : ['-f', 'null', '-'])];
  const t = performance.now();
  const res = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  const ms = performance.now() - t;
  if (res.status !== 0) throw new Error(`ffmpeg failed: ${res.error?.message ?? res.stderr}`);
  return ms;
}

function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version']).status === 0;
}

function compareCase(name: string, x: Float32Array, ir: Float32Array[], dir: string | null): BenchRow[] {
  const k = ir.length;
  const ours = bestOfMs(RUNS, () => convolve(x, ir));
  const oursRt = SECONDS / (ours / 1000);
  const rows: BenchRow[] = [];
  if (!dir) return [{ metric: `earshot convolve, ${name}`, value: oursRt, unit: 'x real time', target: '>= 0.5x afir (ffmpeg missing: no baseline)' }];
  writeFileSync(join(dir, `ir${k}.f32`), interleave(ir));
  // Numerical sanity check on a 10 s stretch: afir must compute the same thing.
  afir(dir, 'x10.f32', k, 'y.f32');
  const theirs = new Float32Array(new Uint8Array(readFileSync(join(dir, 'y.f32'))).buffer);
  const mine = convolve(x.subarray(0, 10 * SR), ir);
  let diff = 0;
  let peak = 0;
  for (let i = 0; i < mine[0].length; i++) {
    for (let c = 0; c < k; c++) {
      diff = Math.max(diff, Math.abs(mine[c][i] - theirs[i * k + c]));
      peak = Math.max(peak, Math.abs(mine[c][i]));
    }
  }
  if (theirs.length !== mine[0].length * k || !(diff / peak < 1e-4)) throw new Error(`afir disagrees with earshot: max diff ${diff} (peak ${peak})`);
  const long = bestOfMs(RUNS, () => afir(dir, 'x.f32', k, null));
  const tiny = bestOfMs(RUNS, () => afir(dir, 'xtiny.f32', k, null));
  const afirRt = SECONDS / ((long - tiny) / 1000);
  rows.push(
    { metric: `earshot convolve, ${name}`, value: oursRt, unit: 'x real time', baseline: afirRt, ratio: oursRt / afirRt, target: '>= 0.5x afir' },
    { metric: `ffmpeg afir, ${name} (${long.toFixed(0)} - ${tiny.toFixed(0)} ms startup)`, value: afirRt, unit: 'x real time' },
    { metric: `max |earshot - afir| / peak, ${name}, 10 s`, value: diff / peak, unit: '', target: '< 1e-4' },
  );
  return rows;
}

function streamingRow(x: Float32Array, ir: Float32Array[], chunk: number, blockSize: number): BenchRow {
  const n = 60 * SR;
  const out = ir.map(() => new Float32Array(n));
  const ms = bestOfMs(RUNS, () => {
    const conv = new StreamingConvolver(ir, { blockSize });
    for (let i = 0; i < n; i += chunk) conv.processInto(x.subarray(i, Math.min(n, i + chunk)), out, i);
    conv.dispose();
  });
  return { metric: `earshot streaming, 2-ch 2 s IR, ${chunk}-sample chunks, blockSize ${blockSize}`, value: 60 / (ms / 1000), unit: 'x real time', target: '>> 1 (live)' };
}

export default async function run(): Promise<BenchReport> {
  const x = tile(speech(), SECONDS * SR);
  const longIr = decayingNoiseIr(2, 2, 1, 42);
  const realIr = ir4();
  const dir = hasFfmpeg() ? mkdtempSync(join(tmpdir(), 'earshot-bench-')) : null;
  try {
    if (dir) {
      writeFileSync(join(dir, 'x.f32'), Buffer.from(x.buffer));
      writeFileSync(join(dir, 'x10.f32'), Buffer.from(x.slice(0, 10 * SR).buffer));
      writeFileSync(join(dir, 'xtiny.f32'), Buffer.from(x.slice(0, SR / 10).buffer));
    }
    const rows = [
      ...compareCase('2-ch 2 s IR', x, longIr, dir),
      ...compareCase('4-ch 0.39 s real IR', x, realIr, dir),
      streamingRow(x, longIr, 320, 4096),
      streamingRow(x, longIr, 320, 1024),
      streamingRow(x, longIr, 37, 1024),
    ];
    return { name: `convolution: ${SECONDS} s of 16 kHz speech, one core (default blockSize 4096)`, rows };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
