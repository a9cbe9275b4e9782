import { describe, expect, it } from 'vitest';
import { fadeIn, fadeInChannels, fadeOut, fadeOutChannels } from '../../src/dsp/fade.ts';

const ones = (n: number) => new Float32Array(n).fill(1);

describe('fadeIn / fadeOut', () => {
  it('ramp linearly in place', () => {
    const x = ones(6);
    expect(fadeIn(x, 4)).toBe(x);
    expect([...x]).toEqual([0, 0.25, 0.5, 0.75, 1, 1]);
    const y = ones(6);
    fadeOut(y, 4);
    expect([...y]).toEqual([1, 1, 0.75, 0.5, 0.25, 0]);
  });
  it('200 ms at 16 kHz: 3200 samples', () => {
    const x = ones(16000);
    fadeOut(fadeIn(x, 3200), 3200);
    expect(x[0]).toBe(0);
    expect(x[1600]).toBeCloseTo(0.5, 6);
    expect(x[3200]).toBe(1);
    expect(x[15999]).toBe(0);
    expect(x[16000 - 1601]).toBeCloseTo(0.5, 3);
  });
  it('a ramp longer than the signal is cut to it; 0 and empty do nothing', () => {
    const x = ones(3);
    fadeIn(x, 6);
    expect([...x]).toEqual([0, 1 / 6, 2 / 6].map(Math.fround));
    const y = ones(3);
    fadeOut(y, 0);
    expect([...y]).toEqual([1, 1, 1]);
    expect(fadeOut(new Float32Array(0), 10).length).toBe(0);
  });
  it('channel helpers fade every channel', () => {
    const chans = fadeOutChannels(fadeInChannels([ones(4), ones(4)], 2), 2);
    for (const c of chans) expect([...c]).toEqual([0, 0.5, 0.5, 0]);
  });
  it('rejects negative or fractional lengths', () => {
    expect(() => fadeIn(ones(3), -1)).toThrow('fade samples must be an integer >= 0, got -1');
    expect(() => fadeOut(ones(3), 1.5)).toThrow(/got 1.5/);
  });
});
