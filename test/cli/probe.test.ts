import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readLabelledData } from '../../src/probes/dataset.ts';
import { makeLayout, tempDir } from '../helpers/audio.ts';
import { messageLines, runCli, runMain, type CliRun } from '../helpers/cli.ts';

// 18 classes of 6 or 7 clips (digits add the shipped recording): a held-out pair per class, and training takes seconds.
const DATA = inject('probeData')[6];
const CONDITION = { snrDb: 0, room: { rt60S: 0.8 }, noise: { ids: ['cafe'], sources: 2 }, seed: 3 };
const MODEL = ['--model', 'oww-speech-embedding', '--device', 'cpu', '--workers', '1'];
let dir: string;
let cleanup: () => Promise<void>;
const at = (name: string) => join(dir, name);

const layout = (name: string, files: Record<string, number | string>) => makeLayout(dir, name, files);

// name -> [arguments, what the one error line must say]; run alongside the training.
const ERRORS: Record<string, [() => string[], RegExp]> = {
  'a data folder with no classes': [() => ['train', ...MODEL, '--data', at('flat'), '-o', at('e.json')], /flat has no class subfolders\. Lay it out as .*flat\/<class>\/<clip>\.wav/],
  'class folders with no audio': [() => ['train', ...MODEL, '--data', at('noaudio'), '-o', at('e.json')], /class folders hold no audio .*noaudio\/no, .*noaudio\/up\. /],
  'unreadable clips': [() => ['train', ...MODEL, '--data', at('unreadable'), '-o', at('e.json')], /2 clip\(s\) in .*unreadable could not be read: .*a\/bad\.wav: not a recognised audio format.*; .*b\/empty\.wav/],
  '--model nope': [() => ['train', '--model', 'nope', '--data', DATA, '-o', at('e.json')], /unknown model "nope"\. Known: .*naive-logmel, oww-speech-embedding/],
  'a probe file that is not a probe': [() => ['eval', '--probe', at('render.json'), '--data', DATA], /render\.json: not an earshot probe/],
  '--held-out 2': [() => ['train', ...MODEL, '--data', DATA, '-o', at('e.json'), '--held-out', '2'], /--held-out must be a fraction from 0 to 0\.9, got "2"/],
};
const runs: Record<string, CliRun> = {};

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-cli-probe-'));
  await writeFile(at('cond.json'), JSON.stringify(CONDITION));
  await writeFile(at('render.json'), JSON.stringify({ condition: { snrDb: 5 }, measured: { snrDb: 5 } }));
  await layout('flat', { 'a.wav': 1, 'b.wav': 2 });
  await layout('noaudio', { 'yes/a.wav': 1, 'no/readme.txt': 'not audio', 'up/': '' });
  await layout('unreadable', { 'a/1.wav': 1, 'a/bad.wav': 'plain text, not audio\n', 'b/2.wav': 2, 'b/empty.wav': '' });
  await layout('unknown', { '0/a.wav': 0, 'zebra/b.wav': 1 });
  // Training is a real process, as a user runs it; the refusals run in-process through main() meanwhile.
  const train = runCli(['probe', 'train', ...MODEL, '--data', DATA, '-o', at('P.json')], 120_000);
  for (const name of Object.keys(ERRORS)) runs[name] = await runMain(['probe', ...ERRORS[name][0]()]);
  runs.train = await train;
  // These need the trained probe.
  const evalArgs = ['probe', 'eval', '--probe', at('P.json'), '--device', 'cpu', '--workers', '1'];
  runs.heldOut = await runMain([...evalArgs, '--data', DATA, '--held-out']);
  runs.degraded = await runMain([...evalArgs, '--data', DATA, '--held-out', '--condition', at('cond.json')]);
  runs.unknownClass = await runMain([...evalArgs, '--data', at('unknown')]);
}, 180_000);
afterAll(() => cleanup());

/** A successful run's JSON on stdout. */
function output(name: string) {
  const run = runs[name];
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('earshot probe train / eval', () => {
  it('train writes a probe that records its model, classes and held-out clips, and prints a summary', async () => {
    const summary = output('train');
    const probe = JSON.parse(await readFile(at('P.json'), 'utf8'));
    expect(probe).toMatchObject({ format: 'earshot-linear-probe', modelId: 'oww-speech-embedding', embeddingSize: 96, seed: 0 });
    expect(probe.classes).toHaveLength(18);
    expect(probe.trainedOn.condition).toBeNull();
    const { files } = await readLabelledData(DATA);
    expect(probe.trainedOn.heldOut).toHaveLength(36); // round(0.25 × 6 or 7) = 2 of each class
    expect(probe.trainedOn.heldOut.every((f: string) => files.includes(f))).toBe(true);
    expect(probe.trainedOn.examples).toBe(files.length - 36);
    expect(summary).toMatchObject({ probe: at('P.json'), model: 'oww-speech-embedding', trainedOn: files.length - 36, heldOut: 36, l2: probe.l2 });
  });

  it('eval --held-out prints top-1 ≥ 0.8, macro-F1, mAP and a classes × classes confusion matrix over the held-out clips', async () => {
    const probe = JSON.parse(await readFile(at('P.json'), 'utf8'));
    const m = output('heldOut');
    expect(m.top1).toBeGreaterThanOrEqual(0.8);
    expect(m.macroF1).toBeGreaterThan(0.7);
    expect(m.mAP).toBeGreaterThan(0.7);
    expect(m.examples).toBe(probe.trainedOn.heldOut.length);
    expect(m.classes).toEqual(probe.classes);
    expect(m.confusion).toHaveLength(18);
    for (const row of m.confusion) expect(row).toHaveLength(18);
    expect(m.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(m.examples);
    const correct = m.confusion.reduce((a: number, row: number[], i: number) => a + row[i], 0);
    expect(correct / m.examples).toBeCloseTo(m.top1, 12);
    expect(m.condition).toBeNull();
  });

  it('eval --condition FILE evaluates on degraded audio and records the condition', () => {
    const m = output('degraded');
    expect(m.condition).toMatchObject(CONDITION);
    expect(m.examples).toBe(36);
    expect(m.top1).toBeLessThan(output('heldOut').top1);
  });
});

describe('earshot probe: errors', () => {
  const CASES: Record<string, RegExp> = {
    ...Object.fromEntries(Object.entries(ERRORS).map(([name, [, message]]) => [name, message])),
    'eval data with a class the probe does not know': /unknown has classes the probe was not trained on: zebra \(the probe knows: 0, 1, .*yes\)/,
  };
  const runOf = (name: string) => runs[name in ERRORS ? name : 'unknownClass'];

  it.each(Object.keys(CASES))('%s: exits non-zero with one clear line, no stack trace, no output', (name) => {
    const run = runOf(name);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toBe('');
    // Progress lines ("embedding N clips with ...: k/N") are not errors.
    const lines = messageLines(run.stderr).filter((l) => !/^embedding \d+ clips with /.test(l));
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^earshot: error: /);
    expect(lines[0]).toMatch(CASES[name]);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('writes no probe file for any of them', async () => {
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).filter((n) => n.startsWith('e.json'))).toEqual([]);
  });
});
