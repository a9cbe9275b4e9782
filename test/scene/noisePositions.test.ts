import { describe, expect, it } from 'vitest';
import { sampleNoisePositions } from '../../src/scene/noisePositions.ts';
import { createRng } from '../../src/random.ts';

const talker = { azimuthDeg: 0, elevationDeg: 0, distanceM: 1.5 };
const sep = (a: number, b: number) => {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
};

describe('sampleNoisePositions', () => {
  it('draws distinct positions away from the talker, inside the room, reproducibly', () => {
    for (const count of [1, 2, 3, 4, 5]) {
      const ps = sampleNoisePositions(count, talker, () => 4, createRng(count));
      expect(ps).toHaveLength(count);
      expect(ps).toEqual(sampleNoisePositions(count, talker, () => 4, createRng(count)));
      const all = [talker, ...ps];
      for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) expect(sep(all[i].azimuthDeg, all[j].azimuthDeg)).toBeGreaterThanOrEqual(Math.min(30, 180 / (count + 1)));
      }
      for (const p of ps) {
        expect(p.distanceM).toBeGreaterThanOrEqual(1);
        expect(p.distanceM).toBeLessThanOrEqual(4 - 0.25);
      }
    }
  });

  it('gives a clear error when the room is too small for the sources', () => {
    expect(() => sampleNoisePositions(3, talker, () => 1, createRng(1))).toThrow(/larger room or fewer noise sources/);
  });
});
