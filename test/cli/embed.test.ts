import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWav } from '../../src/audio/wav.ts';
import { loadSpeech, tempDir } from '../helpers/audio.ts';
import { messageLines, runCli, runMain, type CliRun } from '../helpers/cli.ts';
import { hasNumpy } from '../helpers/python.ts';


const OWW = ['--model', 'oww-speech-embedding', '--device', 'cpu', '--workers', '1'];
const CONDITION = { snrDb: 0, room: { rt60S: 0.6 }, noise: { ids: ['cafe'], sources: 1 }, seed: 2 };
let dir: string;
let cleanup: () => Promise<void>;
let samples: number;
const at = (name: string) => join(dir, name);
let clip: string;

// name -> arguments after `embed`; all run at once.
const CASES: Record<string, () => string[]> = {
  json: () => [clip, ...OWW, '-o', at('e.json')],
  npy: () => [clip, ...OWW, '--format', 'npy', '-o', at('e.npy')],
  hop: () => [clip, ...OWW, '--hop', '0.04', '-o', at('hop.json')],
  condition: () => [clip, ...OWW, '--condition', at('cond.json'), '-o', at('cond-out.json')],
  naive: () => [clip, '--model', 'naive-logmel', '-o', at('naive.json')],
  // Errors. The default device: a bad input must fail before the model (and its CUDA notice) starts.
  missing: () => [at('nope.wav'), '--model', 'oww-speech-embedding', '-o', at('x.json')],
  hop0: () => [clip, ...OWW, '--hop', '0', '-o', at('x.json')],
  xml: () => [clip, ...OWW, '--format', 'xml', '-o', at('x.json')],
  noFolder: () => [clip, '--model', 'oww-speech-embedding', '--format', 'npy', '-o', at('no-such-folder/x.npy')],
  // The scene file's name is taken by a folder: the last of the three files cannot be written.
  sceneBlocked: () => [clip, ...OWW, '--format', 'npy', '-o', at('set.npy')],
};
const runs: Record<string, CliRun> = {};

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-cli-embed-'));
  // Four digits back to back (about 3.4 s): past openWakeWord's 0.76 s warm-up, into its steady 80 ms frames.
  const digits = await Promise.all([1, 2, 3, 4].map((d) => loadSpeech(d, 16000)));
  const joined = new Float32Array(digits.reduce((n, d) => n + d.length, 0));
  digits.reduce((offset, d) => (joined.set(d, offset), offset + d.length), 0);
  samples = joined.length;
  clip = at('four-digits.wav');
  await writeWav(clip, { sampleRateHz: 16000, channels: [joined] }, 'float32');
  await writeFile(at('cond.json'), JSON.stringify(CONDITION));
  await mkdir(at('set.npy.scene.npy'));
  // The plain JSON run is a real process, as a user runs it; the others run in-process through main()
  // meanwhile, where what the flags do to the embeddings is under test.
  const viaProcess = runCli(['embed', ...CASES.json()], 120_000);
  for (const name of Object.keys(CASES).filter((n) => n !== 'json')) runs[name] = await runMain(['embed', ...CASES[name]()]);
  runs.json = await viaProcess;
}, 180_000);
afterAll(() => cleanup());

interface EmbedJson {
  model: string;
  condition: unknown;
  sampleRateHz: number;
  dim: number;
  frames: number;
  timestampsS: number[];
  embeddings: number[][];
  scene: number[];
}

async function output(name: string, file: string): Promise<EmbedJson> {
  const run = runs[name];
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toMatch(/wrote .*: \d+ frames × \d+ dims from /);
  return JSON.parse(await readFile(at(file), 'utf8'));
}

/** Largest |a − b| over two frames × dim tables. */
function maxDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((row, t) => Array.from(row).forEach((v, d) => (worst = Math.max(worst, Math.abs(v - b[t][d])))));
  return worst;
}

/** Mean over frames, per dimension. */
function meanRows(rows: number[][]): number[] {
  return rows[0].map((_, d) => rows.reduce((a, r) => a + r[d], 0) / rows.length);
}

describe('earshot embed', () => {
  it('json: one 96-d embedding per 80 ms hop (floor(samples / 1280)), increasing timestamps, scene = their mean', async () => {
    const e = await output('json', 'e.json');
    expect(e).toMatchObject({ model: 'oww-speech-embedding', condition: null, sampleRateHz: 16000, dim: 96 });
    expect(e.frames).toBe(Math.floor(samples / 1280));
    expect(e.embeddings).toHaveLength(e.frames);
    for (const row of e.embeddings) expect(row).toHaveLength(96);
    expect(e.timestampsS).toHaveLength(e.frames);
    for (let k = 1; k < e.frames; k++) expect(e.timestampsS[k]).toBeGreaterThan(e.timestampsS[k - 1]);
    expect(e.timestampsS.at(-1)! - e.timestampsS.at(-2)!).toBeCloseTo(0.08, 9); // steady state: 80 ms
    expect(maxDiff([e.scene], [meanRows(e.embeddings)])).toBeLessThan(1e-5);
  });

  it.runIf(hasNumpy)('--format npy: OUT, OUT.timestamps.npy and OUT.scene.npy, read back by numpy with the json run\'s values', async () => {
    expect(runs.npy.code, runs.npy.stderr).toBe(0);
    const e = await output('json', 'e.json');
    const script = `import numpy as np, json
e = np.load('${at('e.npy')}'); t = np.load('${at('e.npy.timestamps.npy')}'); s = np.load('${at('e.npy.scene.npy')}')
print(json.dumps({'shapes': [e.shape, t.shape, s.shape], 'dtypes': [str(e.dtype), str(t.dtype), str(s.dtype)], 'e': e.tolist(), 't': t.tolist(), 's': s.tolist()}))`;
    const npy = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { maxBuffer: 64 << 20 }).toString());
    expect(npy.shapes).toEqual([[e.frames, 96], [e.frames], [96]]);
    expect(npy.dtypes).toEqual(['float32', 'float64', 'float32']);
    expect(maxDiff(npy.e, e.embeddings)).toBeLessThan(1e-5);
    expect(maxDiff([npy.t], [e.timestampsS])).toBe(0);
    expect(maxDiff([npy.s], [e.scene])).toBeLessThan(1e-5);
  });

  it('--hop 0.04: a regular 40 ms grid from the first frame to the last, linearly interpolated between the model\'s frames', async () => {
    const e = await output('json', 'e.json');
    const h = await output('hop', 'hop.json');
    const t0 = e.timestampsS[0];
    const t1 = e.timestampsS.at(-1)!;
    // The steady 80 ms hops double and the last frame stays, so the count is 2·frames − 1, less the
    // nine warm-up frames whose timestamps (the centre of the audio heard so far) already step by 40 ms.
    expect(h.frames).toBe(Math.floor((t1 - t0) / 0.04 + 1e-9) + 1);
    expect(h.frames).toBe(2 * e.frames - 1 - 9);
    h.timestampsS.forEach((t, k) => expect(t).toBeCloseTo(t0 + 0.04 * k, 9));
    const expected = h.timestampsS.map((t) => {
      let j = 0;
      while (j < e.frames - 2 && e.timestampsS[j + 1] <= t + 1e-9) j++;
      const w = Math.min(1, Math.max(0, (t - e.timestampsS[j]) / (e.timestampsS[j + 1] - e.timestampsS[j])));
      return e.embeddings[j].map((v, d) => (1 - w) * v + w * e.embeddings[j + 1][d]);
    });
    expect(maxDiff(h.embeddings, expected)).toBeLessThan(1e-4);
    expect(maxDiff([h.scene], [meanRows(h.embeddings)])).toBeLessThan(1e-5);
  });

  it('--condition FILE: the same frames, other embeddings, and the condition recorded', async () => {
    const e = await output('json', 'e.json');
    const c = await output('condition', 'cond-out.json');
    expect(c.condition).toMatchObject(CONDITION);
    expect(c.frames).toBe(e.frames);
    expect(c.timestampsS).toEqual(e.timestampsS);
    expect(maxDiff(c.embeddings, e.embeddings)).toBeGreaterThan(0.1);
  });

  it('--model naive-logmel: 512-d frames every 10 ms (25 ms windows)', async () => {
    const n = await output('naive', 'naive.json');
    expect(n).toMatchObject({ model: 'naive-logmel', dim: 512 });
    expect(n.frames).toBe(Math.floor((samples - 400) / 160) + 1);
    for (const row of n.embeddings) expect(row).toHaveLength(512);
    expect(maxDiff([n.scene], [meanRows(n.embeddings)])).toBeLessThan(1e-5);
  });
});

describe('earshot embed: errors', () => {
  it('npy: the three files appear together or not at all (the scene file cannot be written: neither can the others)', async () => {
    const run = runs.sceneBlocked;
    expect(run.code, run.stderr).toBe(1);
    expect(messageLines(run.stderr)).toEqual([expect.stringMatching(/^earshot: error: cannot write .*set\.npy\.scene\.npy \(the path is a directory\)\.$/)]);
    expect((await readdir(dir)).filter((f) => f.includes('set.npy')).sort()).toEqual(['set.npy.scene.npy']);
    expect(await readdir(at('set.npy.scene.npy'))).toEqual([]);
  });

  const ERRORS: Record<string, RegExp> = {
    missing: /^earshot: error: .*nope\.wav: no such file\. Check the path\.$/,
    hop0: /^earshot: error: --hop must be a number of seconds above 0 and at most 10, got "0"$/,
    xml: /^earshot: error: option '--format <format>' argument 'xml' is invalid\. Allowed choices are json, npy\.$/,
    // Refused before the model starts (no CUDA notice line on the default device).
    noFolder: /^earshot: error: -o .*no-such-folder\/x\.npy: the folder .*no-such-folder does not exist; create it first \(mkdir -p .*no-such-folder\)$/,
  };
  it.each(Object.keys(ERRORS))('%s: exits non-zero with one clear line and writes nothing', async (name) => {
    const run = runs[name];
    expect(run.code, run.stderr).not.toBe(0);
    expect(run.code).not.toBe(70);
    expect(run.code).not.toBeNull();
    expect(run.stdout).toBe('');
    const lines = messageLines(run.stderr);
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(ERRORS[name]);
    expect((await readdir(dir)).filter((f) => f.startsWith('x.json'))).toEqual([]);
  });
});
