import { describe, expect, it } from 'vitest';
import { convolve } from '../../src/dsp/convolver.ts';
import { energy } from '../../src/dsp/level.ts';
import { measureChannelSnrDb, measureSnrDb, mixAtSnr, noiseGainForSnr } from '../../src/dsp/mix.ts';
import { full4, ir4, meta, noise, speech } from './fixtures.ts';

const x = speech();
const n = x.length;
const nz = noise();
/** Noise channel k starts k * offset samples into the recording (as in make_fixtures.py). */
const noiseChannels = (k: number, offset = meta.mix.noiseOffsetPerChannel) =>
  Array.from({ length: k }, (_, c) => nz.slice(c * offset, c * offset + n));
const residual = (mixed: Float32Array[], source: Float32Array[]) => mixed.map((m, c) => m.map((v, i) => v - source[c][i]));

describe('mixAtSnr on real speech and real noise', () => {
  const reverberant2 = full4().slice(0, 2).map((c) => c.slice(0, n));

  it('noise gains match numpy (make_fixtures.py)', () => {
    for (const [snr, gain] of Object.entries(meta.mix.noiseGain)) {
      const { noiseGain } = mixAtSnr(reverberant2, noiseChannels(2), Number(snr));
      expect(noiseGain / gain).toBeCloseTo(1, 9);
    }
  });

  const irs = ir4();
  for (const k of [1, 2, 4]) {
    const source = k === 1 ? [x] : convolve(x, irs.slice(0, k));
    // Spatialised noise: the recording through the same IR channels (shifted so channels differ).
    const spatial = k === 1 ? noiseChannels(1) : convolve(nz.slice(1234, 1234 + n), irs.slice(0, k).reverse());
    for (const snrDb of [-10, -5, 0, 5, 10, 20, 30, 40]) {
      it(`${k} channel(s), ${snrDb} dB: measured on the output within 0.05 dB`, () => {
        const { mixed, noiseGain } = mixAtSnr(source, spatial, snrDb);
        expect(mixed).toHaveLength(k);
        expect(noiseGain).toBeGreaterThan(0);
        expect(Math.abs(measureSnrDb(source, residual(mixed, source)) - snrDb)).toBeLessThan(0.05);
      });
    }
  }

  it('broadcasts mono noise to every channel, counting its energy per channel', () => {
    const source = convolve(x, irs.slice(0, 2));
    const mono = noiseChannels(1);
    const { mixed, noiseGain } = mixAtSnr(source, mono, 10);
    expect(noiseGain).toBeCloseTo(mixAtSnr(source, [mono[0], mono[0]], 10).noiseGain, 12);
    expect(measureSnrDb(source, residual(mixed, source))).toBeCloseTo(10, 2);
  });

  it('silent noise or silent source: gain 0, output equals the source', () => {
    const silent = [new Float32Array(n)];
    const a = mixAtSnr([x], silent, 10);
    expect(a.noiseGain).toBe(0);
    expect(a.mixed).toEqual([x]);
    const b = mixAtSnr(silent, noiseChannels(1), 10);
    expect(b.noiseGain).toBe(0);
    expect(b.mixed).toEqual(silent);
    expect(noiseGainForSnr(0, 0, 5)).toBe(0);
  });

  it('does not modify its inputs', () => {
    const s = [x.slice()];
    const nn = noiseChannels(1);
    mixAtSnr(s, nn, 0);
    expect(s[0]).toEqual(x);
    expect(energy(nn)).toBe(energy(noiseChannels(1)));
  });

  it('rejects mismatched shapes and non-finite SNR, naming them', () => {
    expect(() => mixAtSnr([x], noiseChannels(1), NaN)).toThrow('snrDb must be a finite number of decibels, got NaN');
    expect(() => mixAtSnr([x, x], noiseChannels(3), 0)).toThrow(/1 or 2 channel\(s\).*got 3/);
    expect(() => mixAtSnr([x], [nz], 0)).toThrow(/noise\[0\] has 64000 samples, source\[0\] has 40824/);
    expect(() => mixAtSnr([], [], 0)).toThrow(/at least one channel/);
  });
});

describe('mixAtSnr per channel', () => {
  const irs = ir4();
  const source = convolve(x, irs);
  const spatial = convolve(nz.slice(1234, 1234 + n), irs.slice().reverse());

  it('4 channels: each channel within 0.05 dB of the target, where the pooled gain leaves them dB apart', () => {
    for (const snrDb of [-5, 0, 10, 30]) {
      const per = mixAtSnr(source, spatial, snrDb, 'per-channel');
      for (const s of measureChannelSnrDb(source, residual(per.mixed, source))) expect(Math.abs(s - snrDb)).toBeLessThan(0.05);
      expect(new Set(per.noiseGains).size).toBe(4);
      // Same noise energy as one gain would add: noiseGain is that gain.
      const added = energy(residual(per.mixed, source));
      expect((per.noiseGain ** 2 * energy(spatial)) / added).toBeCloseTo(1, 6);
      const pooled = mixAtSnr(source, spatial, snrDb);
      expect(Math.abs(measureSnrDb(source, residual(pooled.mixed, source)) - snrDb)).toBeLessThan(0.05);
      const spread = measureChannelSnrDb(source, residual(pooled.mixed, source)).map((s) => Math.abs(s - snrDb));
      expect(Math.max(...spread)).toBeGreaterThan(1);
      expect(pooled.noiseGains).toEqual([pooled.noiseGain, pooled.noiseGain, pooled.noiseGain, pooled.noiseGain]);
    }
  });

  it('the gain of each channel is the one-channel gain of that channel alone', () => {
    const per = mixAtSnr(source, spatial, 5, 'per-channel');
    per.noiseGains.forEach((g, c) => expect(g).toBeCloseTo(mixAtSnr([source[c]], [spatial[c]], 5).noiseGain, 12));
  });

  it('a silent channel gets no noise; the others are still at the target', () => {
    const withSilence = [source[0], new Float32Array(n)];
    const { mixed, noiseGains } = mixAtSnr(withSilence, spatial.slice(0, 2), 10, 'per-channel');
    expect(noiseGains[1]).toBe(0);
    expect(mixed[1]).toEqual(new Float32Array(n));
    expect(measureChannelSnrDb([source[0]], residual([mixed[0]], [source[0]]))[0]).toBeCloseTo(10, 2);
  });

  it('rejects an unknown mode, naming it', () => {
    expect(() => mixAtSnr([x], noiseChannels(1), 0, 'loud' as never)).toThrow('mode must be "pooled" or "per-channel", got "loud"');
  });
});

describe('measureSnrDb', () => {
  it('is 10 log10 of the energy ratio, with infinities for silence', () => {
    expect(measureSnrDb([Float32Array.of(1, 1)], [Float32Array.of(0.125, 0.125)])).toBeCloseTo(10 * Math.log10(64), 12);
    expect(measureSnrDb([Float32Array.of(1)], [Float32Array.of(0)])).toBe(Infinity);
    expect(measureSnrDb([Float32Array.of(0)], [Float32Array.of(1)])).toBe(-Infinity);
    expect(measureSnrDb([Float32Array.of(0)], [Float32Array.of(0)])).toBe(-Infinity);
  });
});
