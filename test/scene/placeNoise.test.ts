import { describe, expect, it } from 'vitest';
import { applyNoisePlacement, sampleNoisePlacement } from '../../src/scene/placeNoise.ts';
import { createRng } from '../../src/random.ts';

const ones = (n: number) => new Float32Array(n).fill(1);

describe('noise placement (Nat-HEAR recipe)', () => {
  it('cuts a longer recording at a seeded offset and fades the last 200 ms out', () => {
    const noise = Float32Array.from({ length: 10_000 }, (_, i) => i);
    const p = sampleNoisePlacement(noise.length, 4000, createRng(3));
    expect(p.mode).toBe('cut');
    expect(p).toEqual(sampleNoisePlacement(noise.length, 4000, createRng(3)));
    const out = applyNoisePlacement(noise, 4000, p, 3200);
    expect(out.length).toBe(4000);
    expect(out[0]).toBe(p.offsetSamples);
    expect(out[799]).toBe(p.offsetSamples + 799);
    expect(out[3999]).toBe(0);
    // Linear ramp: halfway through the fade the gain is 1/2.
    expect(out[4000 - 1 - 1600] / (p.offsetSamples + 4000 - 1 - 1600)).toBeCloseTo(0.5, 3);
  });

  it('places a shorter recording with fade-in and fade-out and zeros elsewhere', () => {
    const p = sampleNoisePlacement(1000, 5000, createRng(9));
    expect(p.mode).toBe('placed');
    expect(p.offsetSamples).toBeGreaterThanOrEqual(0);
    expect(p.offsetSamples).toBeLessThanOrEqual(4000);
    const out = applyNoisePlacement(ones(1000), 5000, p, 200);
    const start = p.offsetSamples;
    expect(out.subarray(0, start).every((v) => v === 0)).toBe(true);
    expect(out.subarray(start + 1000).every((v) => v === 0)).toBe(true);
    expect(out[start]).toBe(0);
    expect(out[start + 100]).toBeCloseTo(0.5, 6);
    expect(out[start + 500]).toBe(1);
    expect(out[start + 999]).toBe(0);
  });

  it('keeps fades within half of a very short recording', () => {
    const out = applyNoisePlacement(ones(10), 100, { mode: 'placed', offsetSamples: 0 }, 3200);
    expect(Math.max(...out)).toBeGreaterThan(0.5);
  });

  it('does not modify the recording', () => {
    const noise = ones(3000);
    applyNoisePlacement(noise, 1000, { mode: 'cut', offsetSamples: 10 }, 500);
    expect(noise.every((v) => v === 1)).toBe(true);
  });
});
