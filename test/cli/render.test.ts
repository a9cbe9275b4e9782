import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { clippedSamples, normalizeRms, peakDbfs } from '../../src/dsp/level.ts';
import { dbfsOf, loadSpeech, maxRelativeError, speechPath, tempDir } from '../helpers/audio.ts';
import { runCli, runMain, type CliRun } from '../helpers/cli.ts';

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
    below: ['--receiver', 'binaural', '--elevation', '-60', '--json'],
    rate: ['--rir', 'street', '--snr', '5', '--noise', 'rain', '--sample-rate', '22050', '--json'],
    plain: ['--json'],
    condition: ['--condition', out('cond.json'), '--snr', '15', '--seed', '2', '--distance', '1.2', '--json'],
    // The README's street example: its peaks go well past full scale.
    loud32: ['--rir', 'street', '--snr', '5', '--noise', 'cafe', '--json'],
    loud16: ['--rir', 'street', '--snr', '5', '--noise', 'cafe', '--pcm16', '--json'],
  };
  // The README's street example as a user runs it, a real process (its JSON on stdout, its notes on stderr);
  // the others in-process through main(), where the flags and what they render are under test.
  const names = Object.keys(cases).filter((n) => n !== 'loud32');
  const viaProcess = runCli(['render', IN, '-o', out('loud32.wav'), ...cases.loud32]);
  for (const name of names) runs[name] = await runMain(['render', IN, '-o', out(`${name}.wav`), ...cases[name]]);
  runs.loud32 = await viaProcess;
}, 240_000);
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
    expect(s.warnings).toEqual([]);
    expect(runs.binaural.stderr).not.toMatch(/warning/);
  });

  it('a binaural source below the HRTF’s measured elevations (free field) renders, with a warning on stderr and in the JSON', async () => {
    const s = summary('below');
    const warning = "source elevation -60° is below the HRTF's measured range (-40°); the -40° ring's responses are used";
    expect(s.warnings).toEqual([warning]);
    expect(runs.below.stderr).toContain(`warning: ${warning}\n`);
    expect(s.condition.source).toEqual({ azimuthDeg: 0, elevationDeg: -60, distanceM: 1.5 });
    expect(s.channels).toBe(2);
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
    expect(s.measured).toMatchObject({ snrDb: null, snrDbPerChannel: null, rt60S: null, bandRt60S: null });
    expect(s).toMatchObject({ snrMode: 'pooled', recipe: 'earshot' });
    expect(s.condition).toMatchObject({ snrDb: 'clean', room: null });
    expect(s.scene.noise).toBeNull();
    const wav = await decodeAudioFile(out('plain.wav'));
    expect(wav.channels).toHaveLength(1);
    expect(Math.abs(dbfsOf(wav.channels) - -14)).toBeLessThan(0.01);
    expect(maxRelativeError(normalizeRms([clip], -14), wav.channels)).toBeLessThan(1e-6);
    expect(s.measured.peakDbfs).toBeCloseTo(peakDbfs(wav.channels), 6);
    expect(s.measured.clippedSamples).toBe(clippedSamples(wav.channels));
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

  it('a float WAV keeps a render louder than full scale as it is; --json gives its peak and samples past ±1, and stderr says so', async () => {
    const s = summary('loud32');
    const wav = await decodeAudioFile(out('loud32.wav'));
    expect(s).toMatchObject({ format: 'float32', outputGainDb: 0 });
    expect(s.measured.peakDbfs).toBeGreaterThan(3);
    expect(s.measured.peakDbfs).toBeCloseTo(peakDbfs(wav.channels), 6);
    expect(s.measured.clippedSamples).toBeGreaterThan(1000);
    expect(s.measured.clippedSamples).toBe(clippedSamples(wav.channels));
    expect(runs.loud32.stderr).toContain(`loud32.wav: the render peaks at +${s.measured.peakDbfs.toFixed(1)} dBFS (${s.measured.clippedSamples} samples past full scale); kept as they are in the float WAV`);
  });

  it('--pcm16 scales a render louder than full scale down by one gain to -0.1 dBFS: nothing clipped or wrapped, the gain in --json and on stderr', async () => {
    const s = summary('loud16');
    const float = summary('loud32');
    // Measured on the render before the output gain: the same as the float file's.
    expect(s.measured).toEqual(float.measured);
    expect(s.format).toBe('pcm16');
    expect(s.outputGainDb).toBeCloseTo(-0.1 - s.measured.peakDbfs, 6);
    expect(await wavFormat(out('loud16.wav'))).toEqual({ tag: 1, bits: 16 });
    const pcm = await decodeAudioFile(out('loud16.wav'));
    const ref = await decodeAudioFile(out('loud32.wav'));
    const gain = 10 ** (s.outputGainDb / 20);
    // Every 16-bit sample is the float render times the one gain, to within rounding.
    pcm.channels.forEach((x, c) => {
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - ref.channels[c][i] * gain));
      expect(worst).toBeLessThanOrEqual(0.5 / 32768 + 1e-6);
    });
    expect(peakDbfs(pcm.channels)).toBeCloseTo(-0.1, 2);
    expect(clippedSamples(pcm.channels)).toBe(0);
    expect(runs.loud16.stderr).toContain(`loud16.wav: the render peaks at +${s.measured.peakDbfs.toFixed(1)} dBFS (${s.measured.clippedSamples} samples past full scale); scaled by ${s.outputGainDb.toFixed(1)} dB to peak at -0.1 dBFS`);
  });

  it('a render within full scale says nothing about levels on stderr', () => {
    expect(summary('plain').measured.clippedSamples).toBe(0);
    expect(runs.plain.stderr).not.toMatch(/peaks at/);
  });
});
