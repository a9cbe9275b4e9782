import { beforeAll, describe, expect, it } from 'vitest';
import { runMain, type CliRun } from '../helpers/cli.ts';

// In-process through main(): the output and exit codes are under test, not the process boundary (test/cli/render.test.ts and others cover that).

const RENDER_FLAGS = ['--snr', '--rir', '--rt60', '--azimuth', '--elevation', '--distance', '--receiver', '--noise', '--noise-sources', '--seed', '--json', '--sample-rate', '--condition', '--output'];

const HELP: Record<string, { args: string[]; mentions: string[] }> = {
  earshot: { args: ['--help'], mentions: ['render', 'rirs', 'noises', 'demo', 'Examples'] },
  render: { args: ['render', '--help'], mentions: [...RENDER_FLAGS, '-14 dBFS', 'Without --snr there is no noise'] },
  rirs: { args: ['rirs', '--help'], mentions: ['--json', '--rir-dir'] },
  noises: { args: ['noises', '--help'], mentions: ['--json', '--noise-dir', 'white/pink/brown'] },
  demo: { args: ['demo', '--help'], mentions: ['--output-dir'] },
};

const runs: Record<string, CliRun> = {};
beforeAll(async () => {
  const done = await Promise.all(Object.values(HELP).map((h) => runMain(h.args)));
  Object.keys(HELP).forEach((name, i) => (runs[name] = done[i]));
}, 120_000);

describe('earshot --help', () => {
  it.each(Object.keys(HELP))('%s --help exits 0 and documents its flags', (name) => {
    const run = runs[name];
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: earshot/);
    for (const m of HELP[name].mentions) expect(run.stdout, `${name} --help mentions ${m}`).toContain(m);
  });

  it('render --help gives the ranges of the condition flags', () => {
    const text = runs.render.stdout;
    expect(text).toMatch(/--snr <dB>.*-30\.\.80/s);
    expect(text).toMatch(/--rt60 <s>.*0 < s <= 3/s);
    expect(text).toMatch(/--azimuth <deg>.*-180\.\.180/s);
    expect(text).toMatch(/--noise-sources <n>.*1\.\.5/s);
    expect(text).toMatch(/binaural.*foa.*mono/s);
  });
});
