import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { normalizeRms } from '../../src/dsp/level.ts';
import { dbfsOf, loadSpeech, maxRelativeError, speechPath, tempDir } from '../helpers/audio.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';

const IN = speechPath(7);
let dir: string;
let cleanup: () => Promise<void>;
let clip: Float32Array;
const out = (name: string) => join(dir, name);
const runs: Record<string, CliRun> = {};

const CONDITION_FILE = {
  snrDb: 5,
  room: { rt60S: 0.4 },
  receiver: 'foa',
  source: { azimuthDeg: 45, distanceM: 1 },
  noise: { ids: ['rain', 'pink'], sources: 3 },
  seed: 9,
};

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-cli-'));
  clip = await loadSpeech(7, 16000);
  await writeFile(out('cond.json'), JSON.stringify(CONDITION_FILE));
  const cases: Record<string, string[]> = {
    binaural: ['--snr', '10', '--rt60', '0.5', '--receiver', 'binaural', '--noise-sources', '2', '--json'],
    rate: ['--rir', 'street', '--snr', '5', '--noise', 'rain', '--sample-rate', '22050', '--json'],
    plain: ['--json'],
    condition: ['--condition', out('cond.json'), '--snr', '15', '--seed', '2', '--distance', '1.2', '--json'],
  };
  const done = await Promise.all(Object.entries(cases).map(([name, flags]) => runCli(['render', IN, '-o', out(`${name}.wav`), ...flags])));
  Object.keys(cases).forEach((name, i) => (runs[name] = done[i]));
}, 120_000);
afterAll(() => cleanup());

/** Parse a successful run's JSON summary. */
function summary(name: string) {
  const run = runs[name];
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/** The WAV format tag (3 = IEEE float) and bits per sample, through WAVE_FORMAT_EXTENSIBLE. */
async function wavFormat(path: string): Promise<{ tag: number; bits: number }> {
  const bytes = await readFile(path);
  expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
  const tag = bytes.readUInt16LE(20);
  return { tag: tag === 0xfffe ? bytes.readUInt16LE(44) : tag, bits: bytes.readUInt16LE(34) };
}

describe('earshot render', () => {
  it('a binaural room at 10 dB: a float WAV, 2 channels at 16 kHz, and JSON with the condition and what was measured', async () => {
    const s = summary('binaural');
    expect(s.condition).toEqual({ snrDb: 10, room: { rt60S: 0.5 }, receiver: 'binaural', source: { azimuthDeg: 0, elevationDeg: 0, distanceM: 1.5 }, noise: { ids: ['cafe'], sources: 2 }, seed: 0 });
    expect(Math.abs(s.measured.snrDb - 10)).toBeLessThan(0.05);
    expect(s.measured.rt60S).toBeGreaterThan(0.45);
    expect(s.measured.rt60S).toBeLessThan(0.55);
    expect(s.scene.noise.layers[0].positions).toHaveLength(2);
    expect(s).toMatchObject({ sampleRateHz: 16000, channels: 2 });
    expect(await wavFormat(out('binaural.wav'))).toEqual({ tag: 3, bits: 32 });
    const wav = await decodeAudioFile(out('binaural.wav'));
    expect(wav.sampleRateHz).toBe(16000);
    expect(wav.channels).toHaveLength(2);
    expect(wav.channels[0].length).toBe(clip.length);
  });

  it('--sample-rate 22050 renders at that rate', async () => {
    const s = summary('rate');
    expect(s.sampleRateHz).toBe(22050);
    expect(s.condition.room).toEqual({ bank: 'street' });
    expect(Math.abs(s.measured.snrDb - 5)).toBeLessThan(0.05);
    const wav = await decodeAudioFile(out('rate.wav'));
    expect(wav.sampleRateHz).toBe(22050);
    expect(wav.channels).toHaveLength(2);
    expect(wav.channels[0].length).toBe(Math.round((clip.length * 22050) / 16000));
  });

  it('without --snr and a room: no noise, no RT60, and the output is the input normalised to -14 dBFS', async () => {
    const s = summary('plain');
    expect(s.measured).toEqual({ snrDb: null, snrDbPerChannel: null, rt60S: null });
    expect(s).toMatchObject({ snrMode: 'pooled', recipe: 'earshot' });
    expect(s.condition).toMatchObject({ snrDb: 'clean', room: null });
    expect(s.scene.noise).toBeNull();
    const wav = await decodeAudioFile(out('plain.wav'));
    expect(wav.channels).toHaveLength(1);
    expect(Math.abs(dbfsOf(wav.channels) - -14)).toBeLessThan(0.01);
    expect(maxRelativeError(normalizeRms([clip], -14), wav.channels)).toBeLessThan(1e-6);
  });

  it('--condition FILE with flags overriding some of its fields', async () => {
    const s = summary('condition');
    expect(s.condition).toEqual({
      ...CONDITION_FILE,
      snrDb: 15,
      seed: 2,
      source: { azimuthDeg: 45, elevationDeg: 0, distanceM: 1.2 },
    });
    expect(Math.abs(s.measured.snrDb - 15)).toBeLessThan(0.05);
    expect(s.measured.rt60S).toBeGreaterThan(0.36);
    expect(s.measured.rt60S).toBeLessThan(0.44);
    expect(s.scene.noise.layers.map((l: { id: string }) => l.id)).toEqual(['rain', 'pink']);
    expect(await wavFormat(out('condition.wav'))).toEqual({ tag: 3, bits: 32 });
    const wav = await decodeAudioFile(out('condition.wav'));
    expect(wav.channels).toHaveLength(4);
    expect(wav.channels[0].length).toBe(clip.length);
  });
});
