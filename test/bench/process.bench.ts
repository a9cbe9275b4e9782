// Whole processes, as users run them: wall time from spawn to exit and peak
// RSS (/usr/bin/time), best of 3, on the compiled program (`npm run build`
// first; `npm run bench` does). Baselines run in the same call: `node -e 0`
// for start-up, ffmpeg's afir for rendering. Targets:
//   earshot --version <= 0.3 s and <= 80 MB; earshot rirs <= 0.5 s;
//   earshot serve answering HTTP <= 1.5 s after spawn;
//   earshot render of 300 s (binaural, RT60 1.0 s, 5 noise sources, 5 dB) >= 150x real time on one core;
//   a process's first binaural render <= 0.5 s slower than its second;
//   sweep cell threads ready (model and banks loaded) <= 1 s after the pool starts.
// Run: npm run bench -- process
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeWav } from '../../src/audio/wav.ts';
import { REPO_ROOT } from '../helpers/audio.ts';
import { EARSHOT_NODE_ARGS } from '../helpers/cli.ts';
import { shippedSpeech, type BenchReport, type BenchRow } from './report.ts';

const RUNS = 3;
const RENDER_SECONDS = 300;
const SR = 16000;
const AFIR_IR_SECONDS = 2.3;

interface ProcessRun {
  wallS: number;
  peakMb: number;
}

/** One process under /usr/bin/time (optionally pinned to core 0); throws with its stderr when it fails. */
async function timed(args: string[], opts: { oneCore?: boolean } = {}): Promise<ProcessRun> {
  const dir = await mkdtemp(join(tmpdir(), 'earshot-bench-time-'));
  try {
    const out = join(dir, 'time');
    const argv = ['-f', '%e %M', '-o', out, ...(opts.oneCore ? ['taskset', '-c', '0'] : []), ...args];
    const res = spawnSync('/usr/bin/time', argv, { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (res.status !== 0) throw new Error(`${args.join(' ')} failed (${res.status}): ${res.stderr.slice(-2000)}`);
    const [wall, kb] = (await readFile(out, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
    return { wallS: wall, peakMb: kb / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function best(args: string[], opts: { oneCore?: boolean } = {}): Promise<ProcessRun> {
  const runs: ProcessRun[] = [];
  for (let r = 0; r < RUNS; r++) runs.push(await timed(args, opts));
  return { wallS: Math.min(...runs.map((r) => r.wallS)), peakMb: Math.min(...runs.map((r) => r.peakMb)) };
}

/** Seconds from spawning `earshot serve` to its first 200 on /api/health, and its peak RSS then. */
async function serveAnswering(port: number): Promise<ProcessRun> {
  const start = performance.now();
  const child = spawn(process.execPath, [...EARSHOT_NODE_ARGS, 'serve', '--port', String(port)], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`earshot serve exited (${code}): ${stderr}`))));
  const health = () =>
    new Promise<boolean>((resolve) => {
      get({ host: '127.0.0.1', port, path: '/api/health' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on('error', () => resolve(false));
    });
  try {
    const poll = async (): Promise<number> => {
      while (!(await health())) await new Promise((r) => setTimeout(r, 10));
      return (performance.now() - start) / 1000;
    };
    const wallS = await Promise.race([poll(), exited]);
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const peakMb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
    return { wallS, peakMb };
  } finally {
    child.kill('SIGTERM');
  }
}


/** ffmpeg afir, one thread: the 300 s input (as stereo) through a 2-channel IR as long as the scene's. */
function afirSeconds(dir: string, input: string, ir: string): number | undefined {
  if (spawnSync('ffmpeg', ['-version']).status !== 0) return undefined;
  const args = ['-v', 'error', '-threads', '1', '-filter_threads', '1', '-i', input, '-i', ir, '-filter_complex', '[0:a]pan=stereo|c0=c0|c1=c0[s];[s][1:a]afir=gtype=none:irfmt=input', '-f', 'null', '-'];
  let bestS = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const res = spawnSync('taskset', ['-c', '0', 'ffmpeg', ...args], { cwd: dir, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`ffmpeg failed: ${res.stderr}`);
    bestS = Math.min(bestS, (performance.now() - t) / 1000);
  }
  return bestS;
}

// Run in a fresh compiled process: a binaural scene prepared and rendered twice (the second
// condition differs in seed, so its IRs are simulated again; only per-process loads are shared).
const FIRST_RENDER_SCRIPT = `
const { openBanks, renderScene } = await import('./dist/src/scene/render.js');
const { prepareScene } = await import('./dist/src/scene/prepare.js');
const { validateCondition } = await import('./dist/src/scene/condition.js');
const x = new Float32Array(10 * ${SR}).map((_, i) => Math.sin(i / 7) * 0.1);
const banks = await openBanks();
const times = [];
for (const seed of [1, 2]) {
  const t = performance.now();
  const c = validateCondition({ snrDb: 5, room: { rt60S: 1.0 }, receiver: 'binaural', noise: { ids: ['cafe'], sources: 5 }, seed });
  renderScene(x, await prepareScene(c, banks, ${SR}));
  times.push((performance.now() - t) / 1000);
}
process.stdout.write(JSON.stringify(times));
`;

// Run in a fresh compiled process: seconds from starting a 2-thread CellPool to both threads
// having loaded the model and the banks (a warm-up with no clips).
const SWEEP_THREADS_SCRIPT = `
const t = performance.now();
const { CellPool } = await import('./dist/src/sweep/cellPool.js');
const { specFromInput } = await import('./dist/src/sweep/spec.js');
const spec = await specFromInput({ models: ['oww-speech-embedding'], data: 'speech/digits', snrs: [0], rt60s: [0] });
const pool = new CellPool({ threads: 2 });
await pool.warmUp(spec, 'oww-speech-embedding', []);
process.stdout.write(JSON.stringify((performance.now() - t) / 1000));
await pool.close();
`;

function nodeScript(script: string): unknown {
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`script failed: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

export default async function run(): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const bare = await best([process.execPath, '-e', '0']);
  const version = await best([process.execPath, ...EARSHOT_NODE_ARGS, '--version']);
  rows.push(
    { metric: 'earshot --version, wall', value: version.wallS, unit: 's', baseline: bare.wallS, ratio: version.wallS / bare.wallS, target: '<= 0.3 s (baseline: node -e 0)' },
    { metric: 'earshot --version, peak RSS', value: version.peakMb, unit: 'MB', baseline: bare.peakMb, ratio: version.peakMb / bare.peakMb, target: '<= 80 MB' },
  );
  const rirs = await best([process.execPath, ...EARSHOT_NODE_ARGS, 'rirs']);
  rows.push({ metric: 'earshot rirs, wall', value: rirs.wallS, unit: 's', baseline: bare.wallS, ratio: rirs.wallS / bare.wallS, target: '<= 0.5 s' });

  const serves: ProcessRun[] = [];
  for (let r = 0; r < RUNS; r++) serves.push(await serveAnswering(18600 + r));
  const serve = serves.reduce((a, b) => (a.wallS <= b.wallS ? a : b));
  rows.push({ metric: 'earshot serve, spawn to first HTTP 200', value: serve.wallS, unit: 's', baseline: bare.wallS, ratio: serve.wallS / bare.wallS, target: '<= 1.5 s' });
  rows.push({ metric: 'earshot serve, peak RSS when answering', value: serve.peakMb, unit: 'MB' });

  const dir = await mkdtemp(join(tmpdir(), 'earshot-bench-process-'));
  try {
    const input = join(dir, 'speech300.wav');
    await writeWav(input, { sampleRateHz: SR, channels: [await shippedSpeech(RENDER_SECONDS, SR)] }, 'pcm16');
    const render = await best([process.execPath, ...EARSHOT_NODE_ARGS, 'render', input, '-o', join(dir, 'scene.wav'), '--receiver', 'binaural', '--rt60', '1.0', '--snr', '5', '--noise-sources', '5'], { oneCore: true });
    const renderRt = RENDER_SECONDS / render.wallS;
    // afir's IR: 2 channels of 2.3 s (the length of a binaural RT60 1.0 s scene IR), a decaying tone.
    const ir = join(dir, 'ir.wav');
    const irSamples = Math.round(AFIR_IR_SECONDS * SR);
    await writeWav(ir, { sampleRateHz: SR, channels: [1.3, 1.7].map((w) => Float32Array.from({ length: irSamples }, (_, i) => Math.exp(-i / (0.15 * SR)) * Math.sin(i * w))) }, 'float32');
    const afir = afirSeconds(dir, input, ir);
    rows.push({
      metric: `earshot render, ${RENDER_SECONDS} s, binaural, RT60 1.0 s, 5 noise sources, 5 dB, one core`,
      value: renderRt,
      unit: 'x real time',
      ...(afir !== undefined ? { baseline: RENDER_SECONDS / afir, ratio: renderRt / (RENDER_SECONDS / afir) } : {}),
      target: `>= 150x real time (baseline: ffmpeg afir, one 2-ch convolution with a ${AFIR_IR_SECONDS} s IR)`,
    });
    rows.push({ metric: 'earshot render of 300 s, peak RSS', value: render.peakMb, unit: 'MB' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const firsts = Array.from({ length: RUNS }, () => nodeScript(FIRST_RENDER_SCRIPT) as [number, number]);
  const extra = Math.min(...firsts.map(([a, b]) => a - b));
  const second = Math.min(...firsts.map(([, b]) => b));
  rows.push({ metric: 'first binaural render of a process minus its second (10 s, RT60 1.0 s, 5 noise sources)', value: extra, unit: 's', baseline: second, target: '<= 0.5 s' });

  const ready = Math.min(...Array.from({ length: RUNS }, () => nodeScript(SWEEP_THREADS_SCRIPT) as number));
  rows.push({ metric: 'sweep cell threads (2) ready: model and banks loaded', value: ready, unit: 's', target: '<= 1 s' });
  return { name: 'Whole processes (compiled program, wall time from spawn, best of 3)', rows };
}
