import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateCondition } from '../../src/scene/condition.ts';
import { prepareScene, type PreparedScene } from '../../src/scene/prepare.ts';
import { openBanks, renderScene, type SceneBanks } from '../../src/scene/render.ts';
import { StreamingScene } from '../../src/scene/streamingScene.ts';
import { normalizeRms } from '../../src/dsp/level.ts';
import { measureChannelSnrDb } from '../../src/dsp/mix.ts';
import { ir4, noise, speech } from '../dsp/fixtures.ts';
import { loadSpeech } from '../helpers/audio.ts';

const RATE = 16000;
let short: Float32Array;
let long: Float32Array;
let banks: SceneBanks;

beforeAll(async () => {
  banks = await openBanks();
  const digits = await Promise.all([7, 1, 2, 3, 4, 5].map((d) => loadSpeech(d, RATE)));
  short = digits[0];
  long = new Float32Array(digits.reduce((n, d) => n + d.length, 0));
  digits.reduce((at, d) => (long.set(d, at), at + d.length), 0);
});

/** Per-channel SNR of a render's output, recomputed from the components: the source alone (a clean render) and output − source. */
function channelSnrs(clip: Float32Array, scene: PreparedScene): number[] {
  const out = renderScene(clip, scene).channels;
  const dry = renderScene(clip, { ...scene, condition: { ...scene.condition, snrDb: 'clean' } }).channels;
  return measureChannelSnrDb(dry, out.map((ch, c) => ch.map((v, i) => v - dry[c][i])));
}

const spread = (snrs: number[], target: number) => Math.max(...snrs.map((s) => Math.abs(s - target)));

describe('snrMode', () => {
  it.each([
    ['binaural', { receiver: 'binaural', source: { azimuthDeg: 90 } }],
    ['foa', { receiver: 'foa', source: { azimuthDeg: -45 } }],
  ])('%s room at 0 dB: per-channel puts every channel within 0.05 dB; pooled keeps the whole scene at 0 dB and leaves channels apart', async (_, partial) => {
    const base = { ...partial, room: { rt60S: 0.5 }, snrDb: 0, noise: { ids: ['cafe'], sources: 1 }, seed: 5 };
    const per = await prepareScene(validateCondition({ ...base, snrMode: 'per-channel' }), banks, RATE);
    const perOut = renderScene(short, per);
    expect(perOut.params.snrMode).toBe('per-channel');
    expect(spread(channelSnrs(short, per), 0)).toBeLessThan(0.05);
    expect(spread(perOut.measured.snrDbPerChannel!, 0)).toBeLessThan(0.05);

    const pooled = await prepareScene(validateCondition(base), banks, RATE);
    const pooledOut = renderScene(short, pooled);
    expect(pooledOut.params.snrMode).toBe('pooled');
    expect(Math.abs(pooledOut.measured.snrDb!)).toBeLessThan(0.05);
    expect(spread(channelSnrs(short, pooled), 0)).toBeGreaterThan(1);
    expect(pooledOut.params.noise!.noiseGains.every((g) => g === pooledOut.params.noise!.noiseGain)).toBe(true);
  });
});

describe('snrMode live (StreamingScene)', () => {
  // The long clip twice through a binaural scene, in 640-sample chunks; the SNR per channel over the second half.
  function liveChannelSnrs(scene: PreparedScene): number[] {
    const x = new Float32Array(2 * long.length);
    x.set(long);
    x.set(long, long.length);
    const run = (s: PreparedScene) => {
      const live = new StreamingScene(s);
      const out = Array.from({ length: s.channelCount }, () => new Float32Array(x.length));
      for (let i = 0; i < x.length; i += 640) live.process(x.subarray(i, i + 640)).degraded.forEach((ch, c) => out[c].set(ch, i));
      live.dispose();
      return out.map((ch) => ch.subarray(long.length));
    };
    const noisy = run(scene);
    const dry = run({ ...scene, condition: { ...scene.condition, snrDb: 'clean' } });
    return measureChannelSnrDb(dry, noisy.map((ch, c) => ch.map((v, i) => v - dry[c][i])));
  }

  it('binaural at 0 dB, talker on the left: per-channel running energies hold each ear within 1.5 dB; pooled ones leave the ears further apart', async () => {
    const base = { snrDb: 0, room: { rt60S: 0.4 }, receiver: 'binaural', source: { azimuthDeg: 90 }, noise: { ids: ['pink'], sources: 1 }, seed: 4 };
    const per = liveChannelSnrs(await prepareScene(validateCondition({ ...base, snrMode: 'per-channel' }), banks, RATE));
    const pooled = liveChannelSnrs(await prepareScene(validateCondition(base), banks, RATE));
    expect(spread(per, 0)).toBeLessThan(1.5);
    // The ears' SNRs differ by 0.14 dB per channel here, 1.03 dB pooled.
    expect(Math.abs(pooled[0] - pooled[1])).toBeGreaterThan(0.8);
    expect(Math.abs(pooled[0] - pooled[1])).toBeGreaterThan(3 * Math.abs(per[0] - per[1]));
  });

  it('refuses recipe nathear by name, at construction and at setScene', async () => {
    const nathear = await prepareScene(validateCondition({ snrDb: 0, recipe: 'nathear' }), banks, RATE);
    expect(() => new StreamingScene(nathear)).toThrow(/recipe = "nathear" renders whole clips only/);
    const live = new StreamingScene(await prepareScene(validateCondition({ snrDb: 0 }), banks, RATE));
    expect(() => live.setScene(nathear)).toThrow(/recipe = "nathear"/);
    live.dispose();
  });
});

describe('recipe nathear', () => {
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/nathear/nathear.json', import.meta.url), 'utf8'));

  // The scene of make_fixture.py: source IR = ir4 channels 0,1; noise IR = channels 1,0; 2 s of noise at -14 dBFS.
  function fixtureScene(snrDb: number): PreparedScene {
    const ir = ir4();
    const samples = normalizeRms([noise().slice(0, fixture.noiseSamples)], -14)[0];
    return {
      condition: validateCondition({ snrDb, recipe: 'nathear' }),
      sampleRateHz: RATE,
      channelCount: 2,
      receiverLabel: 'binaural',
      sourceRir: [ir[0], ir[1]],
      sourceRirInfo: { kind: 'bank', id: 'fixture', channels: 2, lengthS: ir[0].length / RATE, rt60S: null },
      warnings: [],
      noiseLayers: [{ noise: { kind: 'recording', id: 'fixture', samples }, rir: [ir[1], ir[0]], positions: null }],
    };
  }

  it.each(['short', 'long'])('%s clip: the per-channel noise gains of the Nat-HEAR code, transcribed in numpy (make_fixture.py)', (which) => {
    const x = speech();
    const clip = which === 'short' ? x : Float32Array.from({ length: 2 * x.length }, (_, i) => x[i % x.length]);
    expect(clip.length).toBe(fixture[which].samples);
    for (const [snr, gains] of Object.entries(fixture[which].noiseGains as Record<string, number[]>)) {
      const out = renderScene(clip, fixtureScene(Number(snr)));
      expect(out.channels[0].length).toBe(clip.length);
      expect(out.params.recipe).toBe('nathear');
      expect(out.params.noise!.layers[0].placement?.mode).toBe('placed');
      out.params.noise!.noiseGains.forEach((g, c) => expect(g / gains[c]).toBeCloseTo(1, 4));
    }
  });

  it('binaural room at 0 dB: a 0.82 s clip (padded to the 4 s RIR) gets each channel 6 to 8.5 dB above nominal in steady noise; a 4.9 s clip gets it within 0.05 dB', async () => {
    // Pink noise is steady, so the offset is the padding's: about 10 log10 of the padded noise energy over the clip's share of it.
    const condition = validateCondition({ snrDb: 0, room: { rt60S: 0.5 }, receiver: 'binaural', source: { azimuthDeg: 30 }, noise: { ids: ['pink'], sources: 1 }, recipe: 'nathear', seed: 2 });
    const scene = await prepareScene(condition, banks, RATE);
    expect(short.length / RATE).toBeLessThan(1);
    expect(long.length / RATE).toBeGreaterThan(4.5);
    const onShort = channelSnrs(short, scene);
    for (const s of onShort) {
      expect(s).toBeGreaterThan(6);
      expect(s).toBeLessThan(8.5);
    }
    expect(renderScene(short, scene).measured.snrDbPerChannel!.every((s, c) => Math.abs(s - onShort[c]) < 1e-3)).toBe(true);
    // A real recording: the offset also follows how loud the noise is under the clip against the rest of its 4 s (one seed here).
    const cafe = await prepareScene(validateCondition({ ...condition, noise: { ids: ['cafe'], sources: 1 }, seed: 0 }), banks, RATE);
    for (const s of channelSnrs(short, cafe)) expect(s).toBeGreaterThan(6);
    expect(spread(channelSnrs(long, cafe), 0)).toBeLessThan(0.05);
    expect(spread(channelSnrs(long, scene), 0)).toBeLessThan(0.05);
    // The offset is the padding: the earshot recipe with the same per-channel SNR is exact on the short clip.
    const earshot = await prepareScene(validateCondition({ ...condition, recipe: 'earshot', snrMode: 'per-channel' }), banks, RATE);
    expect(spread(channelSnrs(short, earshot), 0)).toBeLessThan(0.05);
  });

  it('renders deterministically: same clip, condition and seed, same samples; the clean scene is the reverberant clip', async () => {
    const condition = validateCondition({ snrDb: 5, room: { rt60S: 0.4 }, receiver: 'foa', recipe: 'nathear', noise: { ids: ['rain', 'pink'], sources: 2 }, seed: 7 });
    const scene = await prepareScene(condition, banks, RATE);
    const a = renderScene(short, scene);
    expect(renderScene(short.slice(), scene).channels).toEqual(a.channels);
    expect(a.channels).toHaveLength(4);
    expect(a.channels.every((ch) => ch.length === short.length && ch.every(Number.isFinite))).toBe(true);
    const clean = renderScene(short, { ...scene, condition: { ...condition, snrDb: 'clean' } });
    expect(clean.measured).toMatchObject({ snrDb: null, snrDbPerChannel: null, rt60S: clean.params.sourceRir.rt60S });
  });

  it('a condition with recipe nathear and snrMode pooled is refused, naming both', () => {
    expect(() => validateCondition({ recipe: 'nathear', snrMode: 'pooled' })).toThrow(/snrMode = "pooled" with recipe = "nathear"/);
    expect(() => validateCondition({ snrMode: 'loud' })).toThrow(/snrMode = "loud": snrMode must be "pooled" .* or "per-channel"/);
    expect(() => validateCondition({ recipe: 'hear' })).toThrow(/recipe = "hear": recipe must be "earshot" .* or "nathear"/);
  });
});
