import { argmax } from '../probes/metrics.ts';
import { createRng, hashSeed } from '../random.ts';
import type { Estimate, ProbeMetrics } from './types.ts';

/** Probe outputs of one run over the test clips: probabilities[clip][class]. */
export interface Run {
  probabilities: number[][];
  cosine?: number[];
}

/** Resamples behind each bootstrap interval. */
export const BOOTSTRAP_RESAMPLES = 1000;

/**
 * Top-1, macro-F1 and mAP of pooled runs with a weight per (run, clip):
 * resampling with replacement is the same as weighting by how often each
 * (run, clip) was drawn, so a bootstrap never copies arrays. With all weights
 * 1 this is exactly classificationMetrics on the pooled outputs (ties in a
 * class's scores count as one threshold, as in sklearn's average precision).
 */
export class PooledMetrics {
  private readonly predicted: Int32Array[];
  /** Per class: (run, clip) pairs sorted by that class's score, highest first, and where ties end. */
  private readonly order: { run: Int32Array; clip: Int32Array; tieEnd: Uint8Array }[] = [];

  constructor(
    private readonly runs: Run[],
    private readonly labels: ArrayLike<number>,
    private readonly classes: number,
  ) {
    this.predicted = runs.map((r) => Int32Array.from(r.probabilities, argmax));
    const n = labels.length;
    for (let c = 0; c < classes; c++) {
      const pairs: [number, number, number][] = [];
      runs.forEach((r, ri) => {
        for (let i = 0; i < n; i++) pairs.push([r.probabilities[i][c], ri, i]);
      });
      pairs.sort((a, b) => b[0] - a[0]);
      const tieEnd = new Uint8Array(pairs.length);
      for (let k = 0; k < pairs.length; k++) tieEnd[k] = k + 1 === pairs.length || pairs[k + 1][0] !== pairs[k][0] ? 1 : 0;
      this.order.push({ run: Int32Array.from(pairs, (p) => p[1]), clip: Int32Array.from(pairs, (p) => p[2]), tieEnd });
    }
  }

  /** weight(run, clip) = runWeights[run] × clipWeights[clip]. */
  metrics(runWeights: ArrayLike<number>, clipWeights: ArrayLike<number>): { top1: number; macroF1: number; mAP: number; cosine: number } {
    const { classes, labels } = this;
    const n = labels.length;
    const tp = new Float64Array(classes);
    const actual = new Float64Array(classes);
    const predictedCount = new Float64Array(classes);
    let total = 0;
    let correct = 0;
    let cosine = 0;
    for (let r = 0; r < this.runs.length; r++) {
      if (runWeights[r] === 0) continue;
      const pred = this.predicted[r];
      const cos = this.runs[r].cosine;
      for (let i = 0; i < n; i++) {
        const w = runWeights[r] * clipWeights[i];
        if (w === 0) continue;
        total += w;
        actual[labels[i]] += w;
        predictedCount[pred[i]] += w;
        if (pred[i] === labels[i]) {
          correct += w;
          tp[labels[i]] += w;
        }
        if (cos) cosine += w * cos[i];
      }
    }
    let f1Sum = 0;
    let f1Count = 0;
    let apSum = 0;
    let apCount = 0;
    for (let c = 0; c < classes; c++) {
      if (actual[c] + predictedCount[c] > 0) {
        f1Sum += (2 * tp[c]) / (actual[c] + predictedCount[c]);
        f1Count++;
      }
      if (actual[c] > 0) {
        apSum += this.averagePrecision(c, actual[c], runWeights, clipWeights);
        apCount++;
      }
    }
    return { top1: total > 0 ? correct / total : 0, macroF1: f1Count > 0 ? f1Sum / f1Count : 0, mAP: apCount > 0 ? apSum / apCount : 0, cosine: total > 0 ? cosine / total : 0 };
  }

  private averagePrecision(c: number, positives: number, runWeights: ArrayLike<number>, clipWeights: ArrayLike<number>): number {
    const { run, clip, tieEnd } = this.order[c];
    let tp = 0;
    let seen = 0;
    let ap = 0;
    let lastRecall = 0;
    for (let k = 0; k < run.length; k++) {
      const w = runWeights[run[k]] * clipWeights[clip[k]];
      seen += w;
      if (this.labels[clip[k]] === c) tp += w;
      if (!tieEnd[k] || seen === 0) continue;
      const recall = tp / positives;
      ap += (recall - lastRecall) * (tp / seen);
      lastRecall = recall;
    }
    return ap;
  }
}

export interface PointEstimates extends ProbeMetrics {
  cosine: Estimate;
  relative: ProbeMetrics;
}

/**
 * A grid point's metrics over its seeds, each with a 95% bias-corrected
 * bootstrap interval. Every resample draws seeds with replacement and clips with
 * replacement (the same clips for the clean reference, so `relative` =
 * degraded ÷ clean is paired). Seeded by `label`: the same inputs give the
 * same intervals wherever they are computed.
 */
export function estimatePoint(runs: Run[], clean: Run, labels: ArrayLike<number>, classes: number, label: string, resamples = BOOTSTRAP_RESAMPLES): PointEstimates {
  const degraded = new PooledMetrics(runs, labels, classes);
  const reference = new PooledMetrics([clean], labels, classes);
  const keys = ['top1', 'macroF1', 'mAP'] as const;
  const e = bootstrap(runs.length, labels.length, label, resamples, (runWeights, clipWeights) => {
    const m = degraded.metrics(runWeights, clipWeights);
    const c = reference.metrics([1], clipWeights);
    const out: Record<string, number> = { cosine: m.cosine };
    for (const k of keys) {
      out[k] = m[k];
      out[`rel_${k}`] = ratio(m[k], c[k]);
    }
    return out;
  });
  return {
    top1: e.top1,
    macroF1: e.macroF1,
    mAP: e.mAP,
    cosine: e.cosine,
    relative: { top1: e.rel_top1, macroF1: e.rel_macroF1, mAP: e.rel_mAP },
  };
}

/**
 * Statistics of pooled runs with 95% bias-corrected bootstrap intervals: `stat`
 * gives named figures for a weight per run and per clip (all 1: the estimate);
 * each resample draws runs (seeds) and clips with replacement, as weights.
 * Seeded by `label`: the same inputs give the same intervals wherever they are computed.
 */
export function bootstrap(runs: number, clips: number, label: string, resamples: number, stat: (runWeights: Float64Array, clipWeights: Float64Array) => Record<string, number>): Record<string, Estimate> {
  const full = stat(new Float64Array(runs).fill(1), new Float64Array(clips).fill(1));
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(full).map((k) => [k, []]));
  const rng = createRng(hashSeed(0, `bootstrap|${label}`));
  const runWeights = new Float64Array(runs);
  const clipWeights = new Float64Array(clips);
  for (let b = 0; b < resamples; b++) {
    runWeights.fill(0);
    clipWeights.fill(0);
    for (let r = 0; r < runs; r++) runWeights[rng.int(0, runs - 1)]++;
    for (let i = 0; i < clips; i++) clipWeights[rng.int(0, clips - 1)]++;
    const m = stat(runWeights, clipWeights);
    for (const k of Object.keys(full)) samples[k].push(m[k]);
  }
  return Object.fromEntries(Object.entries(full).map(([k, value]) => [k, { mean: value, ...biasCorrectedInterval(value, samples[k]) }]));
}

/** The clean reference of a model with its bootstrap intervals over clips. */
export function estimateClean(clean: Run, labels: ArrayLike<number>, classes: number, label: string, resamples = BOOTSTRAP_RESAMPLES): ProbeMetrics {
  const { top1, macroF1, mAP } = estimatePoint([clean], clean, labels, classes, label, resamples);
  return { top1, macroF1, mAP };
}

/** Point metrics of one run, no intervals (for progress displays). */
export function runMetrics(run: Run, labels: ArrayLike<number>, classes: number): { top1: number; macroF1: number; mAP: number; cosine: number } {
  const m = new PooledMetrics([run], labels, classes);
  return m.metrics([1], new Float64Array(labels.length).fill(1));
}

// A ratio against a clean score of 0 is undefined; NaN is written as null in JSON.
function ratio(a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN;
}

/**
 * The 95% bias-corrected percentile interval (Efron): percentiles shifted by
 * how far the bootstrap distribution sits off the estimate. Plain percentiles
 * mislead for average precision, which resampling with replacement inflates
 * (a duplicated positive ranks twice): the estimate could fall below its own
 * interval.
 */
function biasCorrectedInterval(estimate: number, xs: number[]): { lo: number; hi: number } {
  const sorted = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (sorted.length === 0 || Number.isNaN(estimate)) return { lo: Number.NaN, hi: Number.NaN };
  const below = sorted.filter((x) => x < estimate).length + 0.5 * sorted.filter((x) => x === estimate).length;
  const half = 0.5 / sorted.length;
  const z0 = normalQuantile(Math.min(Math.max(below / sorted.length, half), 1 - half));
  const at = (q: number) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
  };
  const z = 1.959963984540054;
  return { lo: at(normalCdf(2 * z0 - z)), hi: at(normalCdf(2 * z0 + z)) };
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Standard normal quantile (Acklam's rational approximation; relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Mean of the finite values; NaN when there are none. */
export function finiteMean(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length ? finite.reduce((s, v) => s + v, 0) / finite.length : NaN;
}
