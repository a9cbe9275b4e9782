import { describe, expect, it } from 'vitest';
import { clippedSamples, dbToGain, energy, gainToDb, normalizeRms, peak, peakDbfs, rms, rmsDbfs, rmsGain, scale } from '../../src/dsp/level.ts';
import { noise, speech } from './fixtures.ts';

describe('energy / rms / rmsDbfs', () => {
  it('pool all samples of all channels', () => {
    expect(energy([Float32Array.of(1, -1), Float32Array.of(0.5)])).toBe(2.25);
    expect(rms([Float32Array.of(1, -1, 1, -1)])).toBe(1);
    expect(rms([Float32Array.of(1, 1), Float32Array.of(0, 0)])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(rmsDbfs([Float32Array.of(0.5, -0.5)])).toBeCloseTo(-6.0206, 4);
  });
  it('a full-scale sine is -3.01 dBFS', () => {
    const sine = Float32Array.from({ length: 16000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
    expect(rmsDbfs([sine])).toBeCloseTo(-3.0103, 3);
  });
  it('silence and no samples: 0 and -Infinity, never NaN', () => {
    expect(energy([])).toBe(0);
    expect(rms([])).toBe(0);
    expect(rms([new Float32Array(0)])).toBe(0);
    expect(rms([new Float32Array(10)])).toBe(0);
    expect(rmsDbfs([new Float32Array(10)])).toBe(-Infinity);
    expect(rmsGain([new Float32Array(10)], -14)).toBe(1);
  });
});

describe('normalizeRms', () => {
  it('brings real speech and real noise to -14 dBFS by default', () => {
    for (const sig of [speech(), noise()]) {
      const [y] = normalizeRms([sig]);
      expect(rmsDbfs([y])).toBeCloseTo(-14, 4);
    }
  });
  it('uses one gain for all channels, keeping their balance, and leaves the input alone', () => {
    const left = speech();
    const right = left.map((v) => v * 0.25);
    const before = left.slice();
    const [l, r] = normalizeRms([left, right], -20);
    expect(rmsDbfs([l, r])).toBeCloseTo(-20, 4);
    expect(rms([r]) / rms([l])).toBeCloseTo(0.25, 6);
    expect(left).toEqual(before);
  });
  it('returns silence unscaled (copies, no NaN)', () => {
    const z = [new Float32Array(4), new Float32Array(0)];
    const y = normalizeRms(z);
    expect(y).toEqual(z);
    expect(y[0]).not.toBe(z[0]);
  });
  it('scale and dbToGain', () => {
    expect(scale([Float32Array.of(1, -2)], 0.5)).toEqual([Float32Array.of(0.5, -1)]);
    expect(dbToGain(-6.0206)).toBeCloseTo(0.5, 4);
    expect(dbToGain(0)).toBe(1);
  });
});

describe('peak / peakDbfs / clippedSamples', () => {
  it('take the largest magnitude of all channels, either sign', () => {
    expect(peak([Float32Array.of(0.5, -2), Float32Array.of(1)])).toBe(2);
    expect(peak([Float32Array.of(0.25), Float32Array.of(-0.5)])).toBe(0.5);
    expect(peakDbfs([Float32Array.of(0.5, -2)])).toBeCloseTo(6.0206, 4);
    expect(peakDbfs([Float32Array.of(-0.5, 0.25)])).toBeCloseTo(-6.0206, 4);
  });
  it('full scale is 0 dBFS and is not clipped; anything beyond is, on every channel', () => {
    expect(peakDbfs([Float32Array.of(1, -1)])).toBe(0);
    expect(clippedSamples([Float32Array.of(1, -1, 0.999)])).toBe(0);
    expect(clippedSamples([Float32Array.of(1, -1.01, 3), Float32Array.of(-2, 0)])).toBe(3);
    // A clipped channel counts even when the other one cancels it in a mono mix.
    expect(clippedSamples([Float32Array.of(1.5, 1.5), Float32Array.of(-1.5, -1.5)])).toBe(4);
  });
  it('a full-scale sine peaks at 0 dBFS, 3.01 dB above its RMS; scaled by 2 it clips about 2/3 of its samples', () => {
    const sine = Float32Array.from({ length: 16000 }, (_, i) => Math.sin((2 * Math.PI * 997 * i) / 16000));
    expect(peakDbfs([sine]) - rmsDbfs([sine])).toBeCloseTo(3.01, 1);
    const [hot] = scale([sine], 2);
    expect(peakDbfs([hot])).toBeCloseTo(6.02, 1);
    // |2 sin| > 1 where |sin| > 1/2: two thirds of a period.
    expect(clippedSamples([hot]) / hot.length).toBeCloseTo(2 / 3, 2);
  });
  it('silence and no samples: peak 0, -Infinity dBFS, nothing clipped', () => {
    for (const x of [[], [new Float32Array(0)], [new Float32Array(8)]]) {
      expect(peak(x)).toBe(0);
      expect(peakDbfs(x)).toBe(-Infinity);
      expect(clippedSamples(x)).toBe(0);
    }
  });
  it('gainToDb inverts dbToGain', () => {
    expect(gainToDb(0.5)).toBeCloseTo(-6.0206, 4);
    expect(gainToDb(0)).toBe(-Infinity);
    expect(gainToDb(dbToGain(-0.1))).toBeCloseTo(-0.1, 12);
  });
});
