import { describe, expect, it } from 'vitest';
import { adaptChannels } from '../../src/encoders/adaptChannels.ts';

describe('adaptChannels', () => {
  const l = Float32Array.of(1, 2);
  const r = Float32Array.of(3, 4);
  it('mixes down to mono by the mean', () => expect(adaptChannels([l, r], 1, 'm')).toEqual([Float32Array.of(2, 3)]));
  it('passes matching channels through', () => expect(adaptChannels([l, r], 2, 'm')).toEqual([l, r]));
  it('copies a mono clip to every channel', () => expect(adaptChannels([l], 2, 'm')).toEqual([l, l]));
  it('refuses a 4-channel scene for a 2-channel model, naming the model', () => {
    expect(() => adaptChannels([l, r, l, r], 2, 'wavjepa')).toThrow(/"wavjepa" takes 2 channels but the scene has 4/);
  });
});
