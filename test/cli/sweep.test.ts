import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeWav } from '../../src/audio/wav.ts';
import { saveProbe } from '../../src/probes/probeFile.ts';
import { createRng } from '../../src/random.ts';
import type { CellRecord, SweepRecord, SweepResults } from '../../src/sweep/types.ts';
import { makeLayout, REPO_ROOT, tempDir } from '../helpers/audio.ts';
import { EARSHOT_NODE_ARGS, messageLines, runCli, runMain, type CliRun } from '../helpers/cli.ts';

// The sweeps run as the real program (a kill -9 needs a process of its own). The refusals run
// in-process through main().
// 18 classes of 5 clips: one test clip per class; a cell is 18 renders and embeddings.
const DATA = inject('probeData')[4];
const MODEL = ['--model', 'oww-speech-embedding'];
// 2 SNRs × 2 rooms × 2 seeds = 8 cells: two seeds give each point an interval, and the kill below has cells on both sides.
const GRID = ['--snr', '20,0', '--rt60', '0,0.6', '--seeds', '2'];
let dir: string;
let cleanup: () => Promise<void>;
const at = (name: string) => join(dir, name);
const sweep = (out: string, ...extra: string[]) => ['sweep', ...MODEL, '--data', DATA, ...GRID, '-o', at(out), '--cache-dir', at('cache'), ...extra];

const readRecords = (out: string): SweepRecord[] =>
  readFileSync(join(out, 'cells.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SweepRecord);
const readResults = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as SweepResults;
const numbers = (r: SweepResults) => ({ clean: r.clean, points: r.points });

let full: CliRun;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-cli-sweep-'));
  full = await runCli(sweep('full', '--workers', '2'), 240_000);
}, 300_000);

afterAll(() => cleanup());

describe('earshot sweep', () => {
  it('runs the grid and writes results.json, results.csv and report.html', () => {
    expect(full.code, full.stderr).toBe(0);
    const out = at('full');
    const results = readResults(out);
    expect(results.cellsDone).toBe(8);
    expect(results.cellsTotal).toBe(8);
    expect(results.points).toHaveLength(4);
    expect(results.testClips).toBe(18);
    const [clean] = results.clean;
    expect(clean.top1.mean).toBeGreaterThan(0.8);
    for (const p of results.points) {
      expect(p.seeds).toBe(2);
      for (const e of [p.top1, p.macroF1, p.mAP, p.cosine, p.relative.top1]) {
        expect(e.lo).toBeLessThanOrEqual(e.mean + 1e-9);
        expect(e.hi).toBeGreaterThanOrEqual(e.mean - 1e-9);
      }
      expect(p.relative.top1.mean).toBeCloseTo(p.top1.mean / clean.top1.mean, 9);
    }
    // Degradation is monotone where it must be: 0 dB in a reverberant room is worse than 20 dB dry.
    const at0 = results.points.find((p) => p.snrDb === 0 && p.room === 0.6)!;
    const at20 = results.points.find((p) => p.snrDb === 20 && p.room === 0)!;
    expect(at0.top1.mean).toBeLessThan(at20.top1.mean);
    expect(at0.cosine.mean).toBeLessThan(at20.cosine.mean);
    expect(readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 1 + 4);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<svg/);
    expect(JSON.parse(full.stdout)).toMatchObject({ cellsDone: 8, cellsTotal: 8, report: join(out, 'report.html') });
    expect(full.stderr).toMatch(/8 cells \(4 grid points × 2 seeds\) × 18 clips = 144 clip-conditions/);
  });

  /** The killed sweep's stderr (it ran with the cache the first sweep filled). */
  let killedStderr = '';

  it('after kill -9, a rerun computes only the missing cells: nothing lost, nothing twice, same numbers', async () => {
    const out = at('killed');
    const child = spawn(process.execPath, [...EARSHOT_NODE_ARGS, ...sweep('killed', '--workers', '1')], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    // Killed once its progress line says two cells are done (each is in cells.jsonl before it is counted).
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        killedStderr += d.toString();
        if (/^cells: [2-9]\/8$/m.test(killedStderr) && child.kill('SIGKILL')) resolve();
      });
      child.on('exit', (code, signal) => signal === 'SIGKILL' || reject(new Error(`the sweep ended (${code}) before it could be killed:\n${killedStderr}`)));
    });
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
    const before = readFileSync(join(out, 'cells.jsonl'), 'utf8');
    const kept = before.slice(0, before.lastIndexOf('\n') + 1);
    const doneBefore = kept.trim().split('\n').filter((l) => JSON.parse(l).kind === 'cell').length;
    expect(doneBefore).toBeGreaterThanOrEqual(2);
    expect(doneBefore).toBeLessThan(8);

    const rerun = await runCli(sweep('killed', '--workers', '2'), 240_000);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`resuming: ${doneBefore} of 8 cells already in ${out}`);
    const left = 8 - doneBefore;
    expect(rerun.stderr).toContain(`; ${left} cell${left === 1 ? '' : 's'} to run`);
    const after = readFileSync(join(out, 'cells.jsonl'), 'utf8');
    expect(after.startsWith(kept)).toBe(true);
    const records = readRecords(out);
    expect(new Set(records.map((r) => r.key)).size).toBe(records.length);
    expect(records.filter((r) => r.kind === 'cell')).toHaveLength(8);
    expect(numbers(readResults(out))).toEqual(numbers(readResults(at('full'))));
  }, 300_000);

  it('caches clean embeddings across runs', () => {
    // The killed sweep is the second over this data with this cache folder.
    expect(killedStderr).toMatch(/oww-speech-embedding: clean embeddings of (\d+) clips \(\1 from the cache in .*cache\)/);
  });

  it('matched mode trains a probe per cell on degraded audio', async () => {
    const matched = await runCli(['sweep', ...MODEL, '--data', DATA, '--snr', '0', '--rt60', '0.6', '--seeds', '1', '--matched', '-o', at('matched'), '--cache-dir', at('cache')], 120_000);
    expect(matched.code, matched.stderr).toBe(0);
    const results = readResults(at('matched'));
    expect(results.spec.protocol).toBe('matched');
    expect(results.points).toHaveLength(1);
    const cell = readRecords(at('matched')).find((r): r is CellRecord => r.kind === 'cell')!;
    const clean = readRecords(at('full')).find((r): r is CellRecord => r.key === cell.key)!;
    expect(cell.cosine).toEqual(clean.cosine); // same degraded test audio...
    expect(cell.probabilities).not.toEqual(clean.probabilities); // ...through another probe
  }, 150_000);
});

/**
 * A stereo IR with a known decay: a unit direct sound, then noise falling 60 dB
 * in `rt60S` (the same on both channels' envelopes, independent noise).
 */
async function writeDecayIr(path: string, rt60S: number): Promise<void> {
  const fs = 16000;
  const rng = createRng(5);
  const channel = () => {
    const x = new Float32Array(fs / 2);
    x[40] = 1;
    for (let i = 41; i < x.length; i++) x[i] = 0.3 * rng.normal() * 10 ** ((-3 * (i - 40)) / fs / rt60S);
    return x;
  };
  await writeWav(path, { sampleRateHz: fs, channels: [channel(), channel()] }, 'float32');
}

describe('earshot sweep --room: simulated rooms, bank IRs and IR files in one axis', () => {
  let run: CliRun;
  const out = () => at('rooms');

  beforeAll(async () => {
    mkdirSync(at('irs'), { recursive: true });
    await writeDecayIr(at('irs/my-hall.wav'), 0.4);
    // 4 rooms × 1 SNR × 1 seed; the clean embeddings come from the cache of the first sweep.
    run = await runCli(['sweep', ...MODEL, '--data', DATA, '--snr', '0', '--room', `0,0.6,street,${at('irs')}/*.wav`, '--seeds', '1', '-o', out(), '--cache-dir', at('cache')], 240_000);
  }, 300_000);

  it('runs a cell per room, keyed by RT60 or by name', () => {
    expect(run.code, run.stderr).toBe(0);
    const cells = readRecords(out()).filter((r): r is CellRecord => r.kind === 'cell');
    expect(cells.map((c) => c.cell.room).sort()).toEqual([0, 0.6, 'my-hall', 'street'].sort());
    expect(cells.map((c) => c.key.split('|')[2]).sort()).toEqual(['room=my-hall', 'room=street', 'rt60=0', 'rt60=0.6']);
    const results = readResults(out());
    expect(results.spec.axes.room).toEqual([0, 0.6, 'street', 'my-hall']);
    expect(results.spec.rirFiles).toEqual([at('irs/my-hall.wav')]);
    expect(results.points.map((p) => p.room).sort()).toEqual([0, 0.6, 'my-hall', 'street'].sort());
  });

  it('measures each room: T20, DRR and C50 by name, the file IR at the decay it was written with', () => {
    const { rooms } = readResults(out());
    expect(rooms.map((r) => [r.room, r.kind, r.channels])).toEqual([[0, 'dry', 1], [0.6, 'simulated', 1], ['street', 'measured', 2], ['my-hall', 'user', 2]]);
    expect(rooms[0]).toMatchObject({ t20S: null, drrDb: null, c50Db: null });
    for (const r of rooms.slice(1)) for (const v of [r.t20S, r.drrDb, r.c50Db, r.rt60S]) expect(v).toEqual(expect.any(Number));
    const [, simulated, street, mine] = rooms;
    expect(mine.t20S).toBeCloseTo(0.4, 1);
    expect(mine.rt60S).toBeCloseTo(0.4, 1);
    expect(simulated.t20S).toBeGreaterThan(0.45);
    expect(simulated.t20S).toBeLessThan(0.75);
    // The street is the most reverberant of the three, with less direct sound than the simulated room at 1.5 m.
    expect(street.rt60S).toBeGreaterThan(mine.rt60S!);
    expect(street.measuredOn).toBe('the IR at 16 kHz');
    expect(simulated.measuredOn).toMatch(/source IR at azimuth 0°, seed 0, mono receiver/);
  });

  it('carries the rooms into results.csv and report.html', () => {
    const { rooms } = readResults(out());
    const [header, ...lines] = readFileSync(join(out(), 'results.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const col = (name: string) => header.indexOf(name);
    for (const r of rooms) {
      const row = lines.find((l) => l[col('condition')] === 'degraded' && l[col('room')] === String(r.room))!;
      expect(row, String(r.room)).toBeDefined();
      expect(row[col('room_kind')]).toBe(r.kind);
      expect(row[col('room_t20_s')]).toBe(r.t20S === null ? '' : String(r.t20S));
      expect(row[col('room_drr_db')]).toBe(r.drrDb === null ? '' : String(r.drrDb));
      expect(row[col('room_c50_db')]).toBe(r.c50Db === null ? '' : String(r.c50Db));
      expect(row[col('rt60_s')]).toBe(typeof r.room === 'number' ? String(r.room) : '');
    }
    const html = readFileSync(join(out(), 'report.html'), 'utf8');
    const table = html.slice(html.indexOf('<table class="rooms">'), html.indexOf('</table>', html.indexOf('<table class="rooms">')));
    for (const r of rooms.slice(1)) expect(table).toContain(`<td>${String(r.room)}</td><td>${r.kind}</td><td>${r.channels} (`);
    expect(table).toContain(`<td>${rooms[2].t20S!.toFixed(2)}</td>`);
    expect(html.slice(html.indexOf('<figure id="fig-rooms">'))).toMatch(/^<figure id="fig-rooms"><h3>Top-1 per room<\/h3><div class="scroll"><svg/);
  });

  it('numbers in --room are --rt60: a folder made with --rt60 resumes whole', async () => {
    const again = await runCli(['sweep', ...MODEL, '--data', DATA, '--snr', '20,0', '--room', '0,0.6', '--seeds', '2', '-o', at('full'), '--cache-dir', at('cache')], 120_000);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`resuming: 8 of 8 cells already in ${at('full')}`);
    expect(again.stderr).toContain('; 0 cells to run');
  }, 150_000);
});

describe('earshot sweep: bad input', () => {
  // name -> [arguments, what the error line must say]; run in-process through main().
  const ERRORS: Record<string, [() => string[], RegExp]> = {
    'an empty data folder': [() => ['sweep', ...MODEL, '--data', at('empty'), '-o', at('e1')], /empty has no class subfolders/],
    'unreadable clips': [() => ['sweep', ...MODEL, '--data', at('unreadable'), '--snr', '0', '--rt60', '0', '--seeds', '1', '-o', at('e2'), '--no-cache'], /could not be read: .*a\/bad\.wav: not a recognised audio format/],
    'an empty grid': [() => ['sweep', ...MODEL, '--data', DATA, '--snr', '', '-o', at('e3')], /--snr is empty: the grid would have no cells/],
    'a bad axis value': [() => ['sweep', ...MODEL, '--data', DATA, '--rt60', '0,7', '-o', at('e4')], /--rt60: 7 not allowed; expected seconds in 0\.\.3/],
    'a probe for another model': [() => ['sweep', ...MODEL, '--data', DATA, '--probe', at('naive.json'), '-o', at('e6')], /naive\.json is a probe for model "naive-logmel", which is not in --model \(oww-speech-embedding\)/],
    'a probe trained on other classes': [() => ['sweep', ...MODEL, '--data', DATA, '--probe', join(REPO_ROOT, 'models', 'trained', 'keywords.json'), '-o', at('e8')], /has classes probe .*keywords\.json was not trained on: 0, 1, .*\(it knows: down, go, left, no, off, on, right, stop, up, yes\)/],
    'an unknown noise': [() => ['sweep', ...MODEL, '--data', DATA, '--noise', 'cafe,nope', '-o', at('e9')], /unknown noise "nope"\. Known: .*cafe/],
    'a bank IR the model cannot hear': [() => ['sweep', ...MODEL, '--data', DATA, '--room', '0,office-foa', '-o', at('e10')], /--room: the IR "office-foa" has 4 channel\(s\) \(foa\) but model "oww-speech-embedding" takes 1; choose IRs with 1 channel \(mono\), or 2/],
    'an unknown room': [() => ['sweep', ...MODEL, '--data', DATA, '--room', '0,nope', '-o', at('e11')], /--room: unknown room "nope": not an RT60, an IR file or an id of the RIR bank \(street, .*\)/],
    'a pattern matching no IR': [() => ['sweep', ...MODEL, '--data', DATA, '--room', `0,${at('empty')}/*.wav`, '-o', at('e12')], /--room: .*empty\/\*\.wav matches no audio file/],
    'a missing IR file': [() => ['sweep', ...MODEL, '--data', DATA, '--room', at('nowhere.wav'), '-o', at('e13')], /--room: .*nowhere\.wav: no such file or folder/],
    '--room and --rt60 together': [() => ['sweep', ...MODEL, '--data', DATA, '--room', '0,street', '--rt60', '0.6', '-o', at('e14')], /give the rooms in one list: --room takes RT60s too/],
    'a bad room value': [() => ['sweep', ...MODEL, '--data', DATA, '--room', '0,5', '-o', at('e15')], /--room: 5 not allowed; expected RT60s in 0\.\.3 s/],
    'an output folder that cannot be made (procfs)': [() => ['sweep', ...MODEL, '--data', DATA, '--snr', '0', '--rt60', '0', '--seeds', '1', '-o', '/proc/earshot-sweep'], /cannot write \/proc\/earshot-sweep \(the directory does not exist\)/],
    'an unknown model': [() => ['sweep', '--model', 'nope', '--data', DATA, '-o', at('e7'), '--snr', '0', '--rt60', '0', '--seeds', '1'], /unknown model "nope"/],
  };
  const runs: Record<string, CliRun> = {};

  beforeAll(async () => {
    await makeLayout(dir, 'empty', {});
    await makeLayout(dir, 'unreadable', { 'a/1.wav': 1, 'a/2.wav': 2, 'a/bad.wav': 'plain text, not audio\n', 'b/3.wav': 3, 'b/4.wav': 4 });
    // A probe file of another model (what `earshot probe train --model naive-logmel` writes; its weights do not matter here).
    const row = () => Array.from({ length: 512 }, () => 0.01);
    await saveProbe(at('naive.json'), {
      format: 'earshot-linear-probe', version: 1, modelId: 'naive-logmel', embeddingSize: 512, classes: ['a', 'b'],
      mean: Array(512).fill(0), std: Array(512).fill(1), weights: [row(), row()], bias: [0, 0], l2: 0.01, seed: 0,
      validation: [], trainedOn: { data: at('readable'), examples: 4, heldOut: [], condition: null },
    });
    for (const name of Object.keys(ERRORS)) runs[name] = await runMain(ERRORS[name][0]());
    // A real process: with stdin and stderr not terminals there is no one to ask, so it refuses.
    runs['an absurd grid without --yes'] = await runCli(['sweep', ...MODEL, '--data', DATA, '--seeds', '500', '-o', at('e5')], 120_000);
  }, 300_000);

  it('a model that cannot hear an IR fails before any work: no output folder', () => {
    expect(existsSync(at('e10'))).toBe(false);
  });

  for (const [name, message] of Object.entries({ ...Object.fromEntries(Object.entries(ERRORS).map(([n, [, m]]) => [n, m])), 'an absurd grid without --yes': /the grid is large: 12000 cells .* pass --yes to run it/ })) {
    it(`${name}: one clear error line, non-zero exit`, () => {
      const run = runs[name];
      expect(run.code, run.stderr).toBe(1);
      const lines = messageLines(run.stderr).filter((l) => l.startsWith('earshot: error:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(run.stdout).toBe('');
    });
  }

  it('a folder holding another sweep is refused and stays intact', async () => {
    const out = at('full');
    const before = readFileSync(join(out, 'cells.jsonl'), 'utf8');
    const run = await runMain(sweep('full', '--test-fraction', '0.5'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/holds results of a different sweep \(differs in: testFraction\)/);
    expect(readFileSync(join(out, 'cells.jsonl'), 'utf8')).toBe(before);
  }, 150_000);
});
