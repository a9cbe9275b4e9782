/**
 * Multinomial logistic (softmax) regression with L2, fitted by full-batch
 * Nesterov-accelerated gradient descent with step 1/L (L = the gradient's
 * Lipschitz bound, from the largest eigenvalue of XᵀX/N by power iteration:
 * Nesterov 1983; Bubeck, "Convex Optimization", 2015, §3.7), stopping when
 * the gradient vanishes. Deterministic: no randomness, float64 throughout.
 */

export interface SoftmaxModel {
  classes: number;
  dim: number;
  /** classes × dim, row-major. */
  weights: Float64Array;
  bias: Float64Array;
}

export interface FitOptions {
  /** L2 penalty on the weights (not the bias): loss = mean cross-entropy + l2/2·|W|². */
  l2: number;
  /** At most this many steps. */
  iterations: number;
  /** Stop once no gradient component exceeds this (default 1e-4: far below what moves a prediction). */
  tolerance?: number;
  /** Start from this model (warm start along a grid of penalties); default all zeros. */
  init?: SoftmaxModel;
}

/** Fit on standardised features `x` (n rows of `dim`) and integer labels in 0..classes-1. */
export function fitSoftmax(x: Float64Array[], labels: Int32Array, classes: number, opts: FitOptions): SoftmaxModel {
  const n = x.length;
  const dim = n === 0 ? 0 : x[0].length;
  const size = classes * dim;
  // Cross-entropy's Hessian is at most ½·XᵀX/N (bias folded in as a constant-1 feature).
  const lipschitz = 0.5 * (largestEigenvalue(x) + 1) + opts.l2;
  const step = 1 / lipschitz;
  const w = new Float64Array(size + classes); // weights then bias
  if (opts.init) {
    w.set(opts.init.weights);
    w.set(opts.init.bias, size);
  }
  const prev = w.slice();
  const tolerance = opts.tolerance ?? 1e-4;
  const look = new Float64Array(size + classes);
  const grad = new Float64Array(size + classes);
  const p = new Float64Array(classes);
  for (let it = 1; it <= opts.iterations; it++) {
    const momentum = (it - 1) / (it + 2);
    for (let i = 0; i < w.length; i++) look[i] = w[i] + momentum * (w[i] - prev[i]);
    grad.fill(0);
    for (let r = 0; r < n; r++) {
      probabilities(look, x[r], classes, dim, p);
      p[labels[r]] -= 1;
      for (let c = 0; c < classes; c++) {
        const g = p[c] / n;
        if (g === 0) continue;
        const row = c * dim;
        for (let d = 0; d < dim; d++) grad[row + d] += g * x[r][d];
        grad[size + c] += g;
      }
    }
    let largest = 0;
    for (let i = 0; i < size; i++) grad[i] += opts.l2 * look[i];
    for (let i = 0; i < grad.length; i++) largest = Math.max(largest, Math.abs(grad[i]));
    if (largest < tolerance) {
      w.set(look);
      break;
    }
    prev.set(w);
    for (let i = 0; i < w.length; i++) w[i] = look[i] - step * grad[i];
  }
  return { classes, dim, weights: w.slice(0, size), bias: w.slice(size) };
}

/** Class probabilities for one standardised feature row. */
export function predictSoftmax(model: SoftmaxModel, row: Float64Array): Float64Array {
  const out = new Float64Array(model.classes);
  const packed = new Float64Array(model.weights.length + model.classes);
  packed.set(model.weights);
  packed.set(model.bias, model.weights.length);
  probabilities(packed, row, model.classes, model.dim, out);
  return out;
}

// Softmax of W·x + b with W and b packed in `w`; written into `out`.
function probabilities(w: Float64Array, row: Float64Array, classes: number, dim: number, out: Float64Array): void {
  const biasAt = classes * dim;
  let max = -Infinity;
  for (let c = 0; c < classes; c++) {
    let z = w[biasAt + c];
    const base = c * dim;
    for (let d = 0; d < dim; d++) z += w[base + d] * row[d];
    out[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    out[c] = Math.exp(out[c] - max);
    sum += out[c];
  }
  for (let c = 0; c < classes; c++) out[c] /= sum;
}

// Largest eigenvalue of XᵀX/N by power iteration (a deterministic start vector).
function largestEigenvalue(x: Float64Array[]): number {
  const n = x.length;
  if (n === 0) return 0;
  const dim = x[0].length;
  let v = new Float64Array(dim).fill(1 / Math.sqrt(dim));
  let lambda = 0;
  for (let it = 0; it < 50; it++) {
    const next = new Float64Array(dim);
    for (const row of x) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += row[d] * v[d];
      for (let d = 0; d < dim; d++) next[d] += (dot * row[d]) / n;
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += next[d] * next[d];
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    lambda = norm;
    for (let d = 0; d < dim; d++) next[d] /= norm;
    v = next;
  }
  return lambda;
}
