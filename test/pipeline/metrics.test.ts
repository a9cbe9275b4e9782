import { describe, expect, it } from 'vitest';
import { cosineSimilarity, LEVEL_FLOOR_DBFS, levelDbfs, quantile, RollingCka } from '../../src/pipeline/metricsInternals.ts';
import { argmax } from '../../src/probes/metrics.ts';
import { createRng } from '../../src/random.ts';

/** Linear CKA in feature space, straight from Kornblith et al. (2019): ||Yᵀ X||²_F / (||Xᵀ X||_F ||Yᵀ Y||_F), columns centred. */
function referenceCka(x: number[][], y: number[][]): number {
  const centre = (m: number[][]) => {
    const mean = m[0].map((_, d) => m.reduce((s, r) => s + r[d], 0) / m.length);
    return m.map((r) => r.map((v, d) => v - mean[d]));
  };
  const [xc, yc] = [centre(x), centre(y)];
  const cross = (a: number[][], b: number[][]) => {
    let s = 0;
    for (let i = 0; i < a[0].length; i++) {
      for (let j = 0; j < b[0].length; j++) {
        let dot = 0;
        for (let n = 0; n < a.length; n++) dot += a[n][i] * b[n][j];
        s += dot * dot;
      }
    }
    return s;
  };
  return cross(yc, xc) / Math.sqrt(cross(xc, xc) * cross(yc, yc));
}

const rng = createRng(3);
const randomRows = (n: number, d: number) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));

describe('RollingCka', () => {
  it('matches the feature-space formula over the last `capacity` pairs, before and after the ring wraps', () => {
    const x = randomRows(23, 6);
    const y = x.map((r) => r.map((v) => v + 0.7 * rng.normal()));
    const cka = new RollingCka(8, 6);
    x.forEach((row, n) => {
      const got = cka.push(row, y[n]);
      if (n < 2) return expect(got).toBeNull();
      const from = Math.max(0, n - 7);
      expect(got).toBeCloseTo(referenceCka(x.slice(from, n + 1), y.slice(from, n + 1)), 10);
    });
  });

  it('is 1 for an orthogonal transform and an isotropic scaling of the same embeddings, near 0 for unrelated ones', () => {
    const x = randomRows(40, 2);
    const rotated = x.map(([a, b]) => [3 * (0.6 * a - 0.8 * b), 3 * (0.8 * a + 0.6 * b)]);
    const same = new RollingCka(40, 2);
    const unrelated = new RollingCka(40, 2);
    let s = 0;
    let u = 0;
    const noise = randomRows(40, 2);
    x.forEach((row, n) => {
      s = same.push(row, rotated[n])!;
      u = unrelated.push(row, noise[n])!;
    });
    expect(s).toBeCloseTo(1, 10);
    expect(u).toBeLessThan(0.3);
  });

  it('null when one side does not vary across the windows', () => {
    const cka = new RollingCka(4, 3);
    const results = [0, 1, 2, 3].map((n) => cka.push([n, 1, 2], [5, 5, 5]));
    expect(results).toEqual([null, null, null, null]);
  });
});

describe('metrics helpers', () => {
  it('cosine similarity, with zero vectors handled', () => {
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 2], [-1, -2])).toBeCloseTo(-1, 12);
    expect(cosineSimilarity([0, 0], [0, 0])).toBe(1);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
  });

  it('argmax, quantile, levels in dBFS floored for silence', () => {
    expect(argmax([0.1, 0.7, 0.7, 0.2])).toBe(1);
    expect(quantile([5, 1, 3], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5], 0.99)).toBeCloseTo(4.96, 10);
    expect(quantile([], 0.5)).toBe(0);
    expect(levelDbfs([Float32Array.of(1, -1)])).toBeCloseTo(0, 10);
    expect(levelDbfs([Float32Array.of(0.5, 0.5), Float32Array.of(0.5, 0.5)])).toBeCloseTo(-6.0206, 3);
    expect(levelDbfs([new Float32Array(4)])).toBe(LEVEL_FLOOR_DBFS);
  });
});
