import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechPath, tempDir } from '../helpers/audio.ts';
import { messageLines, runMain, type CliRun } from '../helpers/cli.ts';

// In-process through main(): the output and exit codes are under test, not the process boundary (test/cli/render.test.ts and others cover that).

const IN = speechPath(7);
let dir: string;
let cleanup: () => Promise<void>;

// name -> [arguments after `render` (IN and -o filled in unless given), what the error line must say]
const CASES: Record<string, [(d: string) => string[], RegExp]> = {
  'a missing input file': [(d) => [join(d, 'nope.wav'), '-o', join(d, 'o.wav')], /nope\.wav: no such file/],
  'a directory as input': [(d) => [d, '-o', join(d, 'o.wav')], /is a directory, not an audio file/],
  'garbage input': [(d) => [join(d, 'garbage.wav'), '-o', join(d, 'o.wav')], /garbage\.wav: not a recognised audio format/],
  '--snr abc': [(d) => [IN, '-o', join(d, 'o.wav'), '--snr', 'abc'], /snrDb = "abc".*-30 to 80/],
  '--rt60 0': [(d) => [IN, '-o', join(d, 'o.wav'), '--rt60', '0'], /room.rt60S = 0.*0<S<=3/],
  '--azimuth 400': [(d) => [IN, '-o', join(d, 'o.wav'), '--azimuth', '400'], /azimuthDeg = 400.*-180\.\.180/],
  '--rir nope': [(d) => [IN, '-o', join(d, 'o.wav'), '--rir', 'nope'], /unknown RIR "nope"\. Known: .*street/],
  '--noise nope': [(d) => [IN, '-o', join(d, 'o.wav'), '--snr', '5', '--noise', 'nope'], /unknown noise "nope"\. Known: .*cafe.*pink/],
  '--rir street --rt60 1': [(d) => [IN, '-o', join(d, 'o.wav'), '--rir', 'street', '--rt60', '1'], /either --rir .* or --rt60 .* not both/],
  'an unknown flag': [(d) => [IN, '-o', join(d, 'o.wav'), '--loudness', '3'], /unknown option '--loudness'/],
};

const runs: Record<string, CliRun> = {};
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-cli-errors-'));
  await writeFile(join(dir, 'garbage.wav'), 'this is plain text, not audio at all\n');
  const done = await Promise.all(Object.values(CASES).map(([args]) => runMain(['render', ...args(dir)])));
  Object.keys(CASES).forEach((name, i) => (runs[name] = done[i]));
}, 120_000);
afterAll(() => cleanup());

describe('earshot render: errors', () => {
  it.each(Object.keys(CASES))('%s: exits non-zero with one clear line on stderr, no stack trace, no output file', async (name) => {
    const run = runs[name];
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.code).not.toBe(70); // 70 = internal error (a bug)
    expect(run.stdout).toBe('');
    const lines = messageLines(run.stderr);
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^(earshot: )?error: /);
    expect(lines[0]).toMatch(CASES[name][1]);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toMatch(/internal error/);
  });

  it('writes no output file for any of them', async () => {
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).sort()).toEqual(['garbage.wav']);
  });
});
