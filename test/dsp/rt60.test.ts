import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { measureRt60 } from '../../src/dsp/rt60.ts';
import { createRng } from '../../src/random.ts';

const FS = 16000;

// Gaussian noise under an exponential envelope that falls 60 dB in rt60S, plus an optional stationary floor.
function decay(rt60S: number, seconds: number, seed: number, floorDb = -Infinity): Float32Array {
  const rng = createRng(seed);
  const floor = 10 ** (floorDb / 20);
  return Float32Array.from({ length: Math.round(seconds * FS) }, (_, i) => rng.normal() * Math.exp((-3 * Math.LN10 * i) / FS / rt60S) + floor * rng.normal());
}

// The python/scipy-made fixtures (test/fixtures/rt60/make_rt60_fixtures.py).
const dir = new URL('../fixtures/rt60/', import.meta.url);
interface Case { name: string; file: string; sampleRateHz: number; channels: number; designRt60S: number | null; scipyT30S: number }
const cases: Case[] = JSON.parse(readFileSync(new URL('rt60.json', dir), 'utf8'));
function load(c: Case): Float32Array[] {
  const buf = readFileSync(new URL(c.file, dir));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const n = all.length / c.channels;
  return Array.from({ length: c.channels }, (_, i) => all.slice(i * n, (i + 1) * n));
}

describe('measureRt60', () => {
  it.each([0.2, 0.45, 0.8, 1.5])('finds the RT60 of a synthetic exponential decay (%s s) within 2 %%', (rt60S) => {
    const m = measureRt60(decay(rt60S, 1.3 * rt60S + 0.1, 7), FS);
    expect(m.method).toBe('T30');
    expect(m.fitRangeDb).toEqual([-5, -35]);
    expect(Math.abs(m.rt60S / rt60S - 1)).toBeLessThan(0.02);
    expect(m.correlation).toBeLessThan(-0.995);
    expect(Math.abs(m.edtS / rt60S - 1)).toBeLessThan(0.1);
  });

  it.each(cases.map((c) => [c.name, c] as const))('agrees with numpy/scipy Schroeder T30 on %s', (_, c) => {
    const m = measureRt60(load(c), c.sampleRateHz);
    expect(m.method).toBe('T30');
    // The floored case is measured against scipy's T30 of the same IR without its floor.
    expect(Math.abs(m.rt60S / c.scipyT30S - 1)).toBeLessThan(c.name.includes('floor') ? 0.02 : 0.005);
    if (c.designRt60S) expect(Math.abs(m.rt60S / c.designRt60S - 1)).toBeLessThan(0.03);
  });

  it('subtracts a noise floor instead of reading it as reverberation', () => {
    const clean = measureRt60(decay(0.5, 1.2, 3), FS).rt60S;
    const noisy = measureRt60(decay(0.5, 1.2, 3, -50), FS);
    expect(noisy.dynamicRangeDb).toBeGreaterThan(45);
    expect(Math.abs(noisy.rt60S / clean - 1)).toBeLessThan(0.05);
  });

  it('falls back to T20 when the decay spans 35..45 dB', () => {
    const m = measureRt60(decay(0.5, 1.2, 4, -40), FS);
    expect(m.method).toBe('T20');
    expect(m.fitRangeDb).toEqual([-5, -25]);
    expect(Math.abs(m.rt60S / 0.5 - 1)).toBeLessThan(0.1);
  });

  it('averages the energy over channels (one decay curve for the receiver)', () => {
    const a = decay(0.4, 1, 1);
    const b = decay(0.4, 1, 2);
    const stereo = measureRt60([a, b], FS).rt60S;
    expect(Math.abs(stereo / 0.4 - 1)).toBeLessThan(0.02);
    expect(measureRt60([a, a], FS).rt60S).toBeCloseTo(measureRt60(a, FS).rt60S, 10);
  });

  it('ignores leading silence (pre-delay) and scale', () => {
    const x = decay(0.6, 0.9, 5);
    const delayed = new Float32Array(x.length + 800);
    delayed.set(x.map((v) => v * 0.01), 800);
    expect(measureRt60(delayed, FS).rt60S).toBeCloseTo(measureRt60(x, FS).rt60S, 2);
  });

  it('refuses silence, NaN, empty input and decays too short to measure', () => {
    expect(() => measureRt60(new Float32Array(1000), FS)).toThrow(/silent/);
    expect(() => measureRt60(new Float32Array(0), FS)).toThrow(/empty/);
    const bad = decay(0.5, 1, 1);
    bad[10] = NaN;
    expect(() => measureRt60(bad, FS)).toThrow(/NaN/);
    expect(() => measureRt60(decay(0.5, 1, 1, -20), FS)).toThrow(/35 dB/);
    expect(() => measureRt60([new Float32Array(10), new Float32Array(11)], FS)).toThrow(/same length/);
  });
});
