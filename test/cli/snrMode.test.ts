import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { speechPath, tempDir } from '../helpers/audio.ts';

// In-process through main(): the flags and the JSON are under test here, not the process boundary (test/cli/render.test.ts covers that).
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir('earshot-cli-snr-')));
afterAll(() => cleanup());

async function earshot(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const write = (key: 'stdout' | 'stderr') => (chunk: string | Uint8Array) => ((out[key] += String(chunk)), true);
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = write('stdout') as typeof process.stdout.write;
  process.stderr.write = write('stderr') as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'earshot', ...args]), ...out };
  } finally {
    [process.stdout.write, process.stderr.write] = [stdout, stderr];
  }
}

const render = (flags: string[]) => earshot(['render', speechPath(7), '-o', join(dir, 'out.wav'), ...flags]);

describe('earshot render --snr-mode / --recipe', () => {
  it('--snr-mode per-channel: every FOA channel at the SNR, measured per channel and pooled in the JSON', async () => {
    const run = await render(['--snr', '0', '--rt60', '0.5', '--receiver', 'foa', '--azimuth', '-45', '--snr-mode', 'per-channel', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout);
    expect(s).toMatchObject({ snrMode: 'per-channel', recipe: 'earshot', channels: 4 });
    expect(s.condition.snrMode).toBe('per-channel');
    expect(s.measured.snrDbPerChannel).toHaveLength(4);
    for (const snr of s.measured.snrDbPerChannel) expect(Math.abs(snr)).toBeLessThan(0.05);
    expect(typeof s.measured.snrDb).toBe('number');
    expect(s.scene.noise.noiseGains).toHaveLength(4);
  }, 60_000);

  it('default (pooled): the scene at the SNR as a whole, its FOA channels dB apart', async () => {
    const run = await render(['--snr', '0', '--rt60', '0.5', '--receiver', 'foa', '--azimuth', '-45', '--json']);
    const s = JSON.parse(run.stdout);
    expect(s).toMatchObject({ snrMode: 'pooled', recipe: 'earshot' });
    expect(Math.abs(s.measured.snrDb)).toBeLessThan(0.05);
    expect(Math.max(...s.measured.snrDbPerChannel.map(Math.abs))).toBeGreaterThan(1);
  }, 60_000);

  it('--recipe nathear: per-channel SNR set over the clip padded to 4 s, so the 0.82 s clip hears each channel 6+ dB above nominal', async () => {
    const run = await render(['--snr', '0', '--rt60', '0.5', '--receiver', 'binaural', '--noise', 'pink', '--recipe', 'nathear', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout);
    expect(s).toMatchObject({ snrMode: 'per-channel', recipe: 'nathear', channels: 2 });
    expect(s.durationS).toBeLessThan(1);
    for (const snr of s.measured.snrDbPerChannel) expect(snr).toBeGreaterThan(6);
  }, 60_000);

  it('bad values: exit 2 naming the flag and the allowed values; nathear with pooled: exit 1 naming both', async () => {
    const mode = await render(['--snr', '0', '--snr-mode', 'channelwise']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/'--snr-mode <mode>' argument 'channelwise' is invalid\. Allowed choices are pooled, per-channel/);
    const recipe = await render(['--snr', '0', '--recipe', 'hear']);
    expect(recipe.code).toBe(2);
    expect(recipe.stderr).toMatch(/Allowed choices are earshot, nathear/);
    const both = await render(['--snr', '0', '--recipe', 'nathear', '--snr-mode', 'pooled']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/snrMode = "pooled" with recipe = "nathear"/);
  }, 60_000);

  it('earshot stream --recipe nathear is refused before any audio, pointing to snrMode per-channel', async () => {
    const run = await earshot(['stream', speechPath(7), '--model', 'naive-logmel', '--snr', '0', '--recipe', 'nathear']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/recipe = "nathear" renders whole clips only.*snrMode "per-channel"/);
    expect(run.stdout).toBe('');
  }, 60_000);
});
