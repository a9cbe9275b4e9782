import { describe, expect, it } from 'vitest';
import { defaultRoomFor, inverseSabine } from '../../../src/scene/room/index.ts';

describe('inverseSabine', () => {
  it('gives α = 0.161·V/(S·RT60) and β = sqrt(1 − α)', () => {
    const r = inverseSabine([6, 4.5, 3], 0.8);
    expect(r.volumeM3).toBeCloseTo(81, 10);
    expect(r.surfaceM2).toBeCloseTo(117, 10);
    expect(r.absorption).toBeCloseTo((0.161 * 81) / (117 * 0.8), 12);
    expect(r.reflection).toBeCloseTo(Math.sqrt(1 - r.absorption), 12);
    expect(r.minRt60S).toBeCloseTo((0.161 * 81) / 117, 12);
  });

  it('says when a room cannot ring that briefly, and what it can reach', () => {
    let err: (Error & { code?: string }) | undefined;
    try {
      inverseSabine([10, 8, 4], 0.1);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.code).toBe('EARSHOT_UNREACHABLE_RT60');
    expect(err?.message).toMatch(/0\.1 s is too short for a 10×8×4 m room/);
    expect(err?.message).toMatch(/0\.17 s/);
    expect(err?.message).toMatch(/smaller room/);
  });

  it('refuses non-positive RT60s and dimensions', () => {
    expect(() => inverseSabine([5, 4, 3], 0)).toThrow(/rt60S must be a positive/);
    expect(() => inverseSabine([5, 4, 3], -1)).toThrow(/rt60S/);
    expect(() => inverseSabine([5, 0, 3], 0.5)).toThrow(/dimensionsM\[1\]/);
  });
});

describe('defaultRoomFor', () => {
  it.each([0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2, 3])('picks a reachable, realistic room for %s s', (rt60S) => {
    const dims = defaultRoomFor(rt60S);
    const { absorption } = inverseSabine(dims, rt60S);
    expect(absorption).toBeGreaterThanOrEqual(0.05);
    expect(absorption).toBeLessThanOrEqual(0.9);
    expect(dims[2]).toBeGreaterThanOrEqual(2);
    expect(dims[0]).toBeGreaterThan(dims[1]);
    expect(dims[1]).toBeGreaterThan(dims[2]);
  });

  it('keeps ordinary RT60s in the 0.05..0.8 absorption band with a ceiling of 3 m or more', () => {
    for (const rt60S of [0.3, 0.6, 1, 2, 3]) {
      const dims = defaultRoomFor(rt60S);
      expect(inverseSabine(dims, rt60S).absorption).toBeLessThanOrEqual(0.8);
      expect(dims[2]).toBeGreaterThanOrEqual(3);
    }
  });

  it('refuses RT60s no default room reaches', () => {
    expect(() => defaultRoomFor(0.05)).toThrow(/shorter than the default rooms reach/);
    expect(() => defaultRoomFor(0)).toThrow(/positive/);
  });
});
