import { describe, expect, it } from 'vitest';
import { classificationMetrics } from '../../src/probes/metrics.ts';
import { createRng } from '../../src/random.ts';
import { estimatePoint, normalCdf, normalQuantile, PooledMetrics, runMetrics, type Run } from '../../src/sweep/stats.ts';

/** A run of noisy probabilities: the true class gets a boost of `skill`. */
function fakeRun(labels: number[], classes: number, skill: number, seed: number): Run {
  const rng = createRng(seed);
  const probabilities = labels.map((label) => {
    const raw = Array.from({ length: classes }, (_, c) => Math.exp(rng.normal() + (c === label ? skill : 0)));
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((x) => x / sum);
  });
  return { probabilities, cosine: labels.map(() => 0.5 + 0.5 * rng.float()) };
}

const labels = Array.from({ length: 60 }, (_, i) => i % 4);

describe('sweep statistics', () => {
  it('equal weights give exactly classificationMetrics on the pooled runs', () => {
    const runs = [fakeRun(labels, 4, 1.5, 1), fakeRun(labels, 4, 1.0, 2), fakeRun(labels, 4, 0.5, 3)];
    const pooled = classificationMetrics(runs.flatMap((r) => r.probabilities), [...labels, ...labels, ...labels], 4);
    const clean = fakeRun(labels, 4, 3, 9);
    const est = estimatePoint(runs, clean, labels, 4, 'test', 50);
    expect(est.top1.mean).toBeCloseTo(pooled.top1, 12);
    expect(est.macroF1.mean).toBeCloseTo(pooled.macroF1, 12);
    expect(est.mAP.mean).toBeCloseTo(pooled.mAP, 12);
    const meanCos = runs.flatMap((r) => r.cosine!).reduce((a, b) => a + b, 0) / (3 * labels.length);
    expect(est.cosine.mean).toBeCloseTo(meanCos, 12);
    const cleanMetrics = classificationMetrics(clean.probabilities, labels, 4);
    expect(est.relative.top1.mean).toBeCloseTo(pooled.top1 / cleanMetrics.top1, 12);
  });

  it('counts ties as one threshold in average precision, as sklearn does', () => {
    const tied: Run = { probabilities: labels.map((l) => [l === 0 ? 0.5 : 0.5, 0.5, 0, 0].map((x, c) => (c === 0 ? x : (1 - x) / 3))) };
    const m = runMetrics(tied, labels, 4);
    expect(m.mAP).toBeCloseTo(classificationMetrics(tied.probabilities, labels, 4).mAP, 12);
  });

  it('a weighted resample equals the metrics of the explicitly resampled outputs', () => {
    // One bootstrap draw of seeds and clips, done by hand, against the same draw as weights.
    const runs = [fakeRun(labels, 4, 1.2, 5), fakeRun(labels, 4, 0.8, 6)];
    const rng = createRng(11);
    const seeds = [1, 1];
    const clips = labels.map(() => rng.int(0, labels.length - 1));
    const explicit = classificationMetrics(
      seeds.flatMap((s) => clips.map((i) => runs[s].probabilities[i])),
      seeds.flatMap(() => clips.map((i) => labels[i])),
      4,
    );
    const seedWeights = [0, 2];
    const clipWeights = new Float64Array(labels.length);
    for (const i of clips) clipWeights[i]++;
    const weighted = new PooledMetrics(runs, labels, 4).metrics(seedWeights, clipWeights);
    expect(weighted.top1).toBeCloseTo(explicit.top1, 12);
    expect(weighted.macroF1).toBeCloseTo(explicit.macroF1, 12);
    expect(weighted.mAP).toBeCloseTo(explicit.mAP, 12);
  });

  it('intervals bracket the estimate, narrow with more seeds, and repeat exactly for the same label', () => {
    const clean = fakeRun(labels, 4, 3, 9);
    const few = [fakeRun(labels, 4, 1, 1)];
    const many = Array.from({ length: 8 }, (_, s) => fakeRun(labels, 4, 1, 100 + s));
    const a = estimatePoint(few, clean, labels, 4, 'p', 400);
    const b = estimatePoint(many, clean, labels, 4, 'p', 400);
    for (const e of [a.top1, a.macroF1, a.cosine, b.top1, b.cosine]) {
      expect(e.lo).toBeLessThanOrEqual(e.mean + 1e-9);
      expect(e.hi).toBeGreaterThanOrEqual(e.mean - 1e-9);
    }
    expect(b.top1.hi - b.top1.lo).toBeLessThan(a.top1.hi - a.top1.lo);
    expect(estimatePoint(few, clean, labels, 4, 'p', 400)).toEqual(a);
    expect(estimatePoint(few, clean, labels, 4, 'q', 400).top1).not.toEqual(a.top1);
  });

  it('relative robustness is undefined (NaN) against a clean score of zero', () => {
    const zero: Run = { probabilities: labels.map((l) => [0, 1, 2, 3].map((c) => (c === (l + 1) % 4 ? 1 : 0))) };
    const est = estimatePoint([fakeRun(labels, 4, 1, 1)], zero, labels, 4, 'z', 20);
    expect(est.relative.top1.mean).toBeNaN();
  });

  it('normal quantile and CDF match Python statistics.NormalDist', () => {
    // python3 -c "from statistics import NormalDist as N; print(N().inv_cdf(p), N().cdf(x))"
    const quantiles: [number, number][] = [[0.001, -3.090232306167813], [0.02, -2.053748910631823], [0.1, -1.2815515655446004], [0.5, 0], [0.8, 0.8416212335729143], [0.975, 1.959963984540054], [0.9995, 3.2905267314918945]];
    for (const [p, q] of quantiles) expect(normalQuantile(p)).toBeCloseTo(q, 7);
    const cdf: [number, number][] = [[-3, 0.0013498980316301035], [-1, 0.15865525393145707], [0, 0.5], [0.5, 0.6914624612740131], [2.5, 0.9937903346742238]];
    for (const [x, p] of cdf) expect(normalCdf(x)).toBeCloseTo(p, 6);
  });
});
