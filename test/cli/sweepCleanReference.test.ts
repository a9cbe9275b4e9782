import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { CellRecord, CleanRecord, SweepRecord, SweepResults } from '../../src/sweep/types.ts';
import { tempDir } from '../helpers/audio.ts';

// In-process through main(): what the flags do to the records is under test, not the process boundary (test/cli/sweep.test.ts covers that).
const DATA = inject('probeData')[4];
let dir: string;
let cleanup: () => Promise<void>;
const runs: Record<string, { code: number; stderr: string }> = {};

async function sweep(name: string, flags: string[]): Promise<void> {
  let stderr = '';
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'earshot', 'sweep', '--model', 'oww-speech-embedding', '--data', DATA, '--seeds', '1', '--workers', '1', '-o', join(dir, name), '--cache-dir', join(dir, 'cache'), ...flags]);
    runs[name] = { code, stderr };
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
  }
}

const records = (name: string) =>
  readFileSync(join(dir, name, 'cells.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SweepRecord);
const results = (name: string) => JSON.parse(readFileSync(join(dir, name, 'results.json'), 'utf8')) as SweepResults;
// No field of these sweeps holds a comma or a quote: rows split plainly.
const csv = (name: string) => {
  const [header, ...rows] = readFileSync(join(dir, name, 'results.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  return rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
};

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-sweep-ref-'));
  const dry = ['--snr', 'clean', '--rt60', '0'];
  await sweep('levelled', dry);
  await sweep('original', [...dry, '--clean-reference', 'original']);
  await sweep('nathear', ['--snr', '10', '--rt60', '0', '--recipe', 'nathear']);
}, 600_000);
afterAll(() => cleanup());

describe('earshot sweep --clean-reference', () => {
  it('default (levelled): a dry, noiseless cell reproduces the clean reference: cosine 1, the clean top-1', () => {
    expect(runs.levelled.code, runs.levelled.stderr).toBe(0);
    const r = results('levelled');
    expect(r.cleanReference).toBe('levelled');
    const [point] = r.points;
    expect(point.cosine.mean).toBeGreaterThanOrEqual(0.9999);
    expect(point.top1.mean).toBe(r.clean[0].top1.mean);
    expect(point.relative.top1.mean).toBe(1);
    const clean = records('levelled').find((x): x is CleanRecord => x.kind === 'clean')!;
    const cell = records('levelled').find((x): x is CellRecord => x.kind === 'cell')!;
    expect(clean.cleanReference).toBe('levelled');
    expect(cell.probabilities).toEqual(clean.probabilities);
  });

  it('original: the clips as decoded, so the same cell is not the reference (cosine below 0.999), as before', () => {
    expect(runs.original.code, runs.original.stderr).toBe(0);
    const r = results('original');
    expect(r.cleanReference).toBe('original');
    expect(r.points[0].cosine.mean).toBeLessThan(0.999);
    const cell = records('original').find((x): x is CellRecord => x.kind === 'cell')!;
    expect(cell.cleanReference).toBe('original');
    // The degraded side is the same audio in both sweeps: only the reference moved.
    const levelledCell = records('levelled').find((x): x is CellRecord => x.kind === 'cell')!;
    expect(cell.probabilities).not.toEqual(levelledCell.probabilities);
    expect(cell.cosine.every((c) => c < 1)).toBe(true);
  });
});

describe('earshot sweep --snr-mode / --recipe', () => {
  it('records the SNR definition and recipe in every cell record, results.json, results.csv and the report', () => {
    expect(runs.nathear.code, runs.nathear.stderr).toBe(0);
    const cells = records('nathear').filter((x): x is CellRecord => x.kind === 'cell');
    expect(cells.length).toBeGreaterThan(0);
    for (const c of cells) expect(c).toMatchObject({ snrMode: 'per-channel', recipe: 'nathear', cleanReference: 'levelled' });
    const r = results('nathear');
    expect(r).toMatchObject({ snrMode: 'per-channel', recipe: 'nathear', cleanReference: 'levelled' });
    for (const p of r.points) expect(p).toMatchObject({ snrMode: 'per-channel', recipe: 'nathear' });
    for (const row of csv('nathear')) expect(row).toMatchObject({ snr_mode: 'per-channel', recipe: 'nathear', clean_reference: 'levelled' });
    const html = readFileSync(join(dir, 'nathear', 'report.html'), 'utf8');
    expect(html).toContain('SNR per channel');
    expect(html).toContain('recipe nathear');
    for (const row of csv('levelled')) expect(row).toMatchObject({ snr_mode: 'pooled', recipe: 'earshot', clean_reference: 'levelled' });
  });

  it('refuses a value it does not know and pooled with nathear, naming the flags', async () => {
    await sweep('bad', ['--clean-reference', 'raw']);
    expect(runs.bad.code).toBe(2);
    expect(runs.bad.stderr).toMatch(/'--clean-reference <ref>' argument 'raw' is invalid\. Allowed choices are levelled, original/);
    await sweep('both', ['--recipe', 'nathear', '--snr-mode', 'pooled']);
    expect(runs.both.code).toBe(1);
    expect(runs.both.stderr).toMatch(/--snr-mode pooled cannot go with --recipe nathear/);
  });
});
