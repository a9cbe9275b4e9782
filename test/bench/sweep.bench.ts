// Sweep throughput against the encoder-bound limit, same model, same machine, same run.
//
// Limit: bare onnxruntime-node. One thread per core, each replaying as raw InferenceSession.run calls
// (CPU, intraOpNumThreads 1) exactly the graph calls the encoder makes for the test clips rendered into
// a condition, started together; clips per second over all threads. No decoding, rendering, framing,
// probing or bookkeeping: what the cores could do if the sweep did nothing but run the model.
// Ours: `runSweep` with one thread per core over a grid of 4 SNR × 2 RT60 × 2 seeds on the same clips
// (the 370-clip keyword/digit set, 93 test clips), clean embeddings already cached; clip-conditions per
// second of the cell phase (from the last clean reference to the last finished cell), and of the whole run.
// The two take turns, ROUNDS times; the best round of each counts.
// Run: npx tsx test/bench/run.ts sweep
import { availableParallelism } from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readLabelledData } from '../../src/probes/dataset.ts';
import { runSweep, specFromInput } from '../../src/sweep/run.ts';
import type { SweepEvent } from '../../src/sweep/types.ts';
import { moduleStart, workerExecArgv } from '../../src/moduleStart.ts';
import { ensureProbeData } from '../helpers/probeData.ts';
import type { BaselineInit } from './sweepBaseline.thread.ts';
import type { BenchReport } from './report.ts';

const MODEL = 'oww-speech-embedding';
const ROUNDS = 3;
const START = moduleStart(new URL('./sweepBaseline.thread.ts', import.meta.url));

async function bareLimit(threads: number, root: string, files: string[]): Promise<number> {
  const start = new SharedArrayBuffer(4);
  const condition = { snrDb: 0, room: { rt60S: 0.6 }, noise: { ids: ['cafe'], sources: 1 }, seed: 0 };
  const share = Math.ceil(files.length / threads);
  const workers = Array.from({ length: threads }, (_, t) => {
    const init: BaselineInit & { entry: string } = { entry: START.entry, model: MODEL, root, files: files.slice(t * share, (t + 1) * share), condition, repeats: 3, start };
    return new Worker(START.file, { workerData: init, execArgv: workerExecArgv(process.execArgv) });
  });
  const message = (w: Worker, type: string) =>
    new Promise<{ ms: number; clips: number }>((resolve, reject) => {
      w.on('message', (m) => m.type === type && resolve(m));
      w.on('error', reject);
    });
  const done = workers.map((w) => message(w, 'done'));
  await Promise.all(workers.map((w) => message(w, 'ready')));
  Atomics.store(new Int32Array(start), 0, 1);
  Atomics.notify(new Int32Array(start), 0);
  const results = await Promise.all(done);
  await Promise.all(workers.map((w) => w.terminate()));
  return results.reduce((a, r) => a + r.clips, 0) / (Math.max(...results.map((r) => r.ms)) / 1000);
}

async function sweepThroughput(threads: number, data: string, out: string, cacheDir: string): Promise<{ cellPhase: number; whole: number; clipConditions: number; outputsS: number }> {
  const spec = await specFromInput({ models: [MODEL], data, snrDb: [20, 10, 5, 0], room: [0, 0.6], seeds: 2 });
  await runSweep({ ...spec, axes: { ...spec.axes, snrDb: [40], room: [0] }, seeds: 1 }, { out: join(out, 'warm'), threads, cacheDir }); // fills the clean cache
  let cellsFrom = 0;
  let cellsTo = 0;
  let testClips = 0;
  const t0 = performance.now();
  const onEvent = (e: SweepEvent) => {
    if (e.type === 'plan') testClips = e.testClips;
    if (e.type === 'clean') cellsFrom = performance.now();
    if (e.type === 'cell') cellsTo = performance.now();
  };
  const results = await runSweep(spec, { out: join(out, 'timed'), threads, cacheDir, onEvent });
  const end = performance.now();
  const clipConditions = results.cellsDone * testClips;
  return { cellPhase: clipConditions / ((cellsTo - cellsFrom) / 1000), whole: clipConditions / ((end - t0) / 1000), clipConditions, outputsS: (end - cellsTo) / 1000 };
}

export default async function run(): Promise<BenchReport> {
  const threads = availableParallelism();
  const data = await readLabelledData(await ensureProbeData(20));
  const tmp = await mkdtemp(join(tmpdir(), 'earshot-bench-sweep-'));
  try {
    const spec = await specFromInput({ models: [MODEL], data: data.root });
    // The same test clips the sweep will use: its split, recomputed here from a one-cell plan.
    const { planSweep } = await import('../../src/sweep/run.ts');
    const plan = await planSweep({ ...spec, axes: { ...spec.axes, snrDb: [0], room: [0] }, seeds: 1 });
    const testFiles = data.files.slice(0, plan.testClips);
    // Contenders take turns, best of ROUNDS each: a busy moment on a shared machine slows whichever runs then.
    let baseline = 0;
    let ours = { cellPhase: 0, whole: 0, clipConditions: 0, outputsS: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      baseline = Math.max(baseline, await bareLimit(threads, data.root, testFiles));
      const run = await sweepThroughput(threads, data.root, join(tmp, `round-${round}`), join(tmp, 'cache'));
      if (run.cellPhase > ours.cellPhase) ours = run;
    }
    return {
      name: `sweep throughput, ${MODEL}, ${threads} threads, ${plan.testClips} test clips × 16 cells`,
      rows: [
        { metric: `bare onnxruntime-node, same graph calls (encoder-bound limit; best of ${ROUNDS})`, value: baseline, unit: 'clips/s' },
        { metric: `earshot sweep, cell phase (render + encode + probe + durable record; best of ${ROUNDS})`, value: ours.cellPhase, unit: 'clip-conditions/s', baseline, ratio: ours.cellPhase / baseline, target: '>= 0.8' },
        { metric: `earshot sweep, whole run incl. start-up, cached clean phase and outputs (${ours.clipConditions} clip-conditions)`, value: ours.whole, unit: 'clip-conditions/s', baseline, ratio: ours.whole / baseline, target: 'report' },
        { metric: 'of which aggregation (bootstrap) and writing results.json/csv/report.html', value: ours.outputsS, unit: 's' },
      ],
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
