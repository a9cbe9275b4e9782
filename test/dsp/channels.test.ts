import { describe, expect, it } from 'vitest';
import { fitChannels, mixDown } from '../../src/dsp/channels.ts';

const l = Float32Array.of(1, 2, -3);
const r = Float32Array.of(3, 4, 3);

describe('mixDown', () => {
  it('is the mean of the channels, sample by sample', () => expect(mixDown([l, r])).toEqual(Float32Array.of(2, 3, 0)));
  it('returns a single channel as it is, not a copy', () => expect(mixDown([l])).toBe(l));
  it('gives an empty array for no channels', () => expect(mixDown([])).toEqual(new Float32Array(0)));
});

describe('fitChannels', () => {
  it('passes a matching layout through', () => expect(fitChannels([l, r], 2)).toEqual([l, r]));
  it('copies mono (the same array) to every channel', () => {
    const fitted = fitChannels([l], 4)!;
    expect(fitted).toHaveLength(4);
    for (const ch of fitted) expect(ch).toBe(l);
  });
  it('mixes down for a mono layout', () => expect(fitChannels([l, r], 1)).toEqual([Float32Array.of(2, 3, 0)]));
  it('is null where no rule fits (4 channels into 2)', () => expect(fitChannels([l, r, l, r], 2)).toBeNull());
});
