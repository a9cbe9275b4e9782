import { describe, expect, it } from 'vitest';
import { meanOverFrames, resampleTimestamps } from '../../src/encoders/timestamps.ts';

const ts = { dim: 2, frames: 3, embeddings: Float32Array.of(0, 10, 1, 20, 2, 40), timestampsS: Float64Array.of(0.5, 1.5, 2.5) };

describe('timestamp embeddings', () => {
  it('scene embedding is the mean over frames', () => {
    expect(Array.from(meanOverFrames(ts))).toEqual([1, Float32Array.of(70 / 3)[0]]);
    expect(Array.from(meanOverFrames({ dim: 2, frames: 0, embeddings: new Float32Array(0), timestampsS: new Float64Array(0) }))).toEqual([0, 0]);
  });

  it('resamples to a finer hop by linear interpolation, keeping frames on the grid', () => {
    const r = resampleTimestamps(ts, 0.5);
    expect(Array.from(r.timestampsS)).toEqual([0.5, 1, 1.5, 2, 2.5]);
    expect(Array.from(r.embeddings)).toEqual([0, 10, 0.5, 15, 1, 20, 1.5, 30, 2, 40]);
  });

  it('resamples to a coarser hop', () => {
    const r = resampleTimestamps(ts, 2);
    expect(Array.from(r.timestampsS)).toEqual([0.5, 2.5]);
    expect(Array.from(r.embeddings)).toEqual([0, 10, 2, 40]);
  });
});
