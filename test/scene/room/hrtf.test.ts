import { describe, expect, it } from 'vitest';
import { loadHrtf, nearestDirection } from '../../../src/scene/room/hrtf.ts';

const energy = (x: Float32Array) => x.reduce((a, v) => a + v * v, 0);

describe('loadHrtf (MIT KEMAR SOFA)', () => {
  it('loads 710 directions resampled to the rate, once per rate', async () => {
    const h = await loadHrtf(16000);
    expect(h.count).toBe(710);
    expect(h.taps).toBe(Math.round((512 * 16000) / 44100));
    expect(h.ir.length).toBe(710 * 2 * h.taps);
    expect(await loadHrtf(16000)).toBe(h);
    // Scaled to 0 dB mean energy over directions and ears.
    expect(energy(h.ir) / (710 * 2)).toBeCloseTo(1, 4);
  });

  it('uses the SOFA convention: +90° azimuth is +y, the left ear (ear 0) is the near one', async () => {
    const h = await loadHrtf(16000);
    const left = nearestDirection(h, 0, 1, 0);
    expect(Array.from(h.directions.subarray(3 * left, 3 * left + 3)).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 1, 0]);
    const ear = (i: number, e: number) => h.ir.subarray((2 * i + e) * h.taps, (2 * i + e + 1) * h.taps);
    expect(energy(ear(left, 0))).toBeGreaterThan(4 * energy(ear(left, 1)));
    const right = nearestDirection(h, 0, -1, 0);
    expect(energy(ear(right, 1))).toBeGreaterThan(4 * energy(ear(right, 0)));
  });

  it('maps directions below the lowest measured ring (−40°) to that ring', async () => {
    const h = await loadHrtf(16000);
    const i = nearestDirection(h, 0, 0, -1);
    expect(Math.asin(h.directions[3 * i + 2]) * (180 / Math.PI)).toBeCloseTo(-40, 6);
  });
});
