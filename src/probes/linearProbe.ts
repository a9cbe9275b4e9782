import { createRng } from '../random.ts';
import { fitSoftmax, predictSoftmax, type SoftmaxModel } from './softmax.ts';
import { stratifiedSplit } from './split.ts';
import { classificationMetrics } from './metrics.ts';

/** L2 penalties tried on the validation split, weakest first. */
export const L2_GRID: readonly number[] = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];

export interface TrainProbeOptions {
  /** Share of the training examples set aside to choose the L2 penalty (stratified, seeded). */
  validationFraction: number;
  l2Grid: readonly number[];
  iterations: number;
  seed: number;
}

export const TRAIN_PROBE_DEFAULTS: Readonly<TrainProbeOptions> = Object.freeze({ validationFraction: 0.2, l2Grid: L2_GRID, iterations: 400, seed: 0 });

/** A fitted probe: standardisation, weights, and how the penalty was chosen. */
export interface FittedProbe {
  mean: Float64Array;
  std: Float64Array;
  model: SoftmaxModel;
  l2: number;
  validation: { l2: number; top1: number; logLoss: number }[];
}

/**
 * Train a linear probe: standardise each embedding dimension (statistics of
 * the training set; constant dimensions get std 1), pick the L2 penalty with
 * the best validation top-1 (ties: lower log-loss, then the stronger
 * penalty), then refit on all the training examples with it. Same inputs and
 * seed, same probe.
 */
export function trainProbe(features: Float32Array[], labels: Int32Array, classes: number, options: Partial<TrainProbeOptions> = {}): FittedProbe {
  const opts = { ...TRAIN_PROBE_DEFAULTS, ...options };
  const { mean, std } = standardisation(features);
  const x = features.map((f) => standardise(f, mean, std));
  const { kept, heldOut } = stratifiedSplit(labels, opts.validationFraction, createRng(opts.seed).fork('probe-validation'));
  // Strongest penalty first, each fit starting from the previous one (warm start): far fewer steps.
  let previous: SoftmaxModel | undefined;
  const fitted = new Map<number, SoftmaxModel>();
  const fitX = kept.map((i) => x[i]);
  const fitLabels = Int32Array.from(kept, (i) => labels[i]);
  const validation = [...opts.l2Grid].sort((a, b) => b - a).map((l2) => {
    if (heldOut.length === 0) return { l2, top1: 0, logLoss: 0 };
    const model = fitSoftmax(fitX, fitLabels, classes, { l2, iterations: opts.iterations, init: previous });
    previous = model;
    fitted.set(l2, model);
    const probs = heldOut.map((i) => predictSoftmax(model, x[i]));
    const truth = heldOut.map((i) => labels[i]);
    const logLoss = -probs.reduce((acc, p, k) => acc + Math.log(Math.max(p[truth[k]], 1e-12)), 0) / probs.length;
    return { l2, top1: classificationMetrics(probs, truth, classes).top1, logLoss };
  }).reverse();
  const best = validation.reduce((a, b) => (b.top1 > a.top1 || (b.top1 === a.top1 && b.logLoss <= a.logLoss) ? b : a));
  const l2 = heldOut.length === 0 ? 1e-3 : best.l2;
  return { mean, std, l2, validation, model: fitSoftmax(x, labels, classes, { l2, iterations: opts.iterations, init: fitted.get(l2) }) };
}

/** Class probabilities for one raw embedding. */
export function predictProbe(probe: Pick<FittedProbe, 'mean' | 'std' | 'model'>, embedding: Float32Array): Float64Array {
  return predictSoftmax(probe.model, standardise(embedding, probe.mean, probe.std));
}

function standardisation(features: Float32Array[]): { mean: Float64Array; std: Float64Array } {
  const dim = features[0].length;
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (const f of features) for (let d = 0; d < dim; d++) mean[d] += f[d] / features.length;
  for (const f of features) for (let d = 0; d < dim; d++) std[d] += (f[d] - mean[d]) ** 2 / features.length;
  for (let d = 0; d < dim; d++) std[d] = std[d] > 1e-16 ? Math.sqrt(std[d]) : 1;
  return { mean, std };
}

function standardise(f: Float32Array, mean: Float64Array, std: Float64Array): Float64Array {
  const out = new Float64Array(f.length);
  for (let d = 0; d < f.length; d++) out[d] = (f[d] - mean[d]) / std[d];
  return out;
}
