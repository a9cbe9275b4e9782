import { describe, expect, it } from 'vitest';
import { addFractionalImpulse, addKernel, addKernelBands, convolveTaps16, fractionalDelayKernel, imageSources } from '../../../src/scene/room/ism.ts';

describe('imageSources', () => {
  const dims: [number, number, number] = [5, 4, 3];
  const src: [number, number, number] = [1, 1.5, 1.2];
  const rcv: [number, number, number] = [3, 2, 1.5];

  it('has the source itself and the six first-order mirror images', () => {
    const im = imageSources(dims, src, rcv, 20);
    const at = (order: number) =>
      Array.from({ length: im.count }, (_, i) => i)
        .filter((i) => im.order[i] === order)
        .map((i) => [im.x[i], im.y[i], im.z[i]].map((v) => Math.round(v * 1e9) / 1e9).join(','))
        .sort();
    expect(at(0)).toEqual(['1,1.5,1.2']);
    expect(at(1)).toEqual(['-1,1.5,1.2', '1,-1.5,1.2', '1,1.5,-1.2', '1,1.5,4.8', '1,6.5,1.2', '9,1.5,1.2'].sort());
  });

  it('keeps exactly the images within reach, as a brute-force lattice walk does', () => {
    const R = 25;
    const im = imageSources(dims, src, rcv, R);
    let count = 0;
    let orderSum = 0;
    for (let mx = -10; mx <= 10; mx++) for (let my = -10; my <= 10; my++) for (let mz = -10; mz <= 10; mz++)
      for (let p = 0; p < 8; p++) {
        const px = p & 1, py = (p >> 1) & 1, pz = (p >> 2) & 1;
        const pos = [2 * mx * 5 + (px ? -src[0] : src[0]), 2 * my * 4 + (py ? -src[1] : src[1]), 2 * mz * 3 + (pz ? -src[2] : src[2])];
        if (Math.hypot(pos[0] - rcv[0], pos[1] - rcv[1], pos[2] - rcv[2]) > R) continue;
        count++;
        orderSum += Math.abs(mx - px) + Math.abs(mx) + Math.abs(my - py) + Math.abs(my) + Math.abs(mz - pz) + Math.abs(mz);
      }
    expect(im.count).toBe(count);
    expect(im.order.reduce((a, b) => a + b, 0)).toBe(orderSum);
    // Image density is one per room volume.
    expect(im.count / ((4 / 3) * Math.PI * R ** 3 / 60)).toBeGreaterThan(0.9);
    expect(im.count / ((4 / 3) * Math.PI * R ** 3 / 60)).toBeLessThan(1.1);
  });
});

describe('fractionalDelayKernel', () => {
  const taps = new Float64Array(16);

  it('is a unit impulse for a whole-sample delay', () => {
    const start = fractionalDelayKernel(20, taps);
    expect(start).toBe(13);
    expect(Array.from(taps)).toEqual(Array.from({ length: 16 }, (_, j) => (j === 7 ? 1 : 0)));
  });

  it.each([0.1, 0.25, 0.5, 0.9])('delays by the fraction (%s): unit DC gain, centroid and low-frequency phase delay on target', (frac) => {
    const start = fractionalDelayKernel(30 + frac, taps);
    expect(taps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Phase delay at 500 Hz of 16 kHz, measured from sample 30: angle of Σ h[n]·e^{-jω(n−30)} = −ω·frac.
    const w = (2 * Math.PI * 500) / 16000;
    let re = 0;
    let im = 0;
    taps.forEach((h, j) => {
      re += h * Math.cos(w * (start + j - 30));
      im -= h * Math.sin(w * (start + j - 30));
    });
    expect(-Math.atan2(im, re) / w).toBeCloseTo(frac, 2);
  });

  it('clips at both ends of the output', () => {
    const out = new Float32Array(10);
    addFractionalImpulse(out, 1.5, 1, taps);
    addFractionalImpulse(out, 9.5, 1, taps);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(out[1] + out[2]).toBeGreaterThan(0.9);
  });
});

describe('convolveTaps16 and addKernelBands (the image loop)', () => {
  const taps = new Float64Array(16);
  fractionalDelayKernel(7.3, taps);

  it('convolveTaps16 is the full convolution with the 16 taps, summed in ascending tap order', () => {
    const h = Float64Array.from({ length: 40 }, (_, i) => Math.sin(i * 0.7) / (1 + i));
    const padded = new Float64Array(h.length + 30);
    padded.set(h, 15);
    const out = new Float64Array(h.length + 15);
    convolveTaps16(padded, 15, taps, out, 0, out.length);
    const ref = new Float64Array(out.length);
    for (let j = 0; j < 16; j++) for (let n = 0; n < h.length; n++) ref[j + n] += taps[j] * h[n];
    expect(Array.from(out)).toEqual(Array.from(ref));
    expect(() => convolveTaps16(padded, 14, taps, out, 0, 10)).toThrow(RangeError);
  });

  it('addKernelBands adds what addKernel adds band by band, clipped at both ends, for 1 to 8 bands', () => {
    for (let bands = 1; bands <= 8; bands++) {
      for (const start of [-5, 3, 28]) {
        const amps = Float64Array.from({ length: bands }, (_, b) => 0.3 + b);
        const fused = Array.from({ length: bands }, () => [new Float32Array(2), new Float32Array(32).fill(0.25)]);
        const single = Array.from({ length: bands }, () => [new Float32Array(2), new Float32Array(32).fill(0.25)]);
        addKernelBands(fused, 1, start, taps, amps, 0.7);
        for (let b = 0; b < bands; b++) addKernel(single[b][1], start, taps, amps[b] * 0.7);
        expect(fused.map((c) => Array.from(c[1]))).toEqual(single.map((c) => Array.from(c[1])));
        expect(fused.every((c) => c[0].every((v) => v === 0))).toBe(true);
      }
    }
  });
});
