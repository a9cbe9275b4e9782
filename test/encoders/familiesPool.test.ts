import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFamilyEncoder } from '../../src/encoders/families/index.ts';
import { OnnxPool } from '../../src/encoders/runtime/index.ts';
import { FAMILY_DIR, familyEncoder, familyManifest, maxAbsDiff, testTone } from '../helpers/families.ts';

// The families send every window as its own batchable call; the worker pool may stack equal-shaped ones along dim 0.
describe('model families through the worker pool', () => {
  const pool = new OnnxPool({ workers: 1, device: 'cpu', log: () => {} });
  afterAll(() => pool.close());

  it.each([
    ['wav2vec2-tiny-random', 3.3, 1],
    ['wavjepa-nat-like-tiny-random', 7, 2],
    ['ast-tiny-random', 4, 1],
  ])('%s: same frames as in-process, windows stacked', async (id, seconds, channels) => {
    const manifest = familyManifest(id);
    const pooled = await createFamilyEncoder({ manifest, files: { model: join(FAMILY_DIR, manifest.files.model) }, loader: pool });
    const audio = Array.from({ length: channels }, (_, c) => testTone(seconds, c + 1));
    const before = pool.stats.stackedCalls;
    const got = await pooled.timestampEmbeddings(audio);
    const want = await (await familyEncoder(id)).timestampEmbeddings(audio);
    expect(got.timestampsS).toEqual(want.timestampsS);
    expect(maxAbsDiff(got.embeddings, want.embeddings)).toBeLessThan(1e-5);
    expect(pool.stats.stackedCalls).toBeGreaterThan(before);
  });
});
