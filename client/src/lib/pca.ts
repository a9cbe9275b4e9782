/** A two-component principal-component fit. */
export interface Pca2 {
  mean: Float64Array;
  axes: [Float64Array, Float64Array];
  /** Variance along each axis and in total (sample variance, n - 1). */
  variance: [number, number];
  totalVariance: number;
}

/**
 * Fit the first two principal axes of `rows` (n vectors of one length d) by
 * power iteration on XᵀX without forming it (O(n·d) per step, so 768-d
 * embeddings stay cheap), the second axis kept orthogonal to the first by
 * Gram–Schmidt. `previous` warm-starts the iteration and fixes the signs, so
 * a refit on a sliding set of rows moves smoothly instead of flipping.
 * Returns null for fewer than 3 rows or rows that are all the same.
 *
 * @example
 * const pca = fitPca2(cleanEmbeddings); const [x, y] = projectPca2(pca!, degraded);
 */
export function fitPca2(rows: readonly ArrayLike<number>[], previous: Pca2 | null = null, iterations = 30): Pca2 | null {
  const n = rows.length;
  if (n < 3) return null;
  const d = rows[0].length;
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  const x = rows.map((r) => {
    const c = new Float64Array(d);
    for (let j = 0; j < d; j++) c[j] = r[j] - mean[j];
    return c;
  });
  let total = 0;
  for (const c of x) total += dot(c, c);
  total /= n - 1;
  if (!(total > 1e-20)) return null;

  const axes: Float64Array[] = [];
  const variance: number[] = [];
  for (let k = 0; k < 2; k++) {
    const prev = previous && previous.axes[k].length === d ? previous.axes[k] : null;
    let v = prev ? Float64Array.from(prev) : largestResidual(x, axes);
    orthonormalise(v, axes);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const next = new Float64Array(d);
      for (const c of x) {
        const p = dot(c, v);
        for (let j = 0; j < d; j++) next[j] += p * c[j];
      }
      orthonormalise(next, axes);
      const change = 1 - Math.abs(dot(next, v));
      v = next;
      if (change < 1e-9) break;
    }
    for (const c of x) lambda += dot(c, v) ** 2;
    // Signs: follow the previous fit; without one, make the largest entry positive.
    let sign = 1;
    if (prev) sign = dot(v, prev) < 0 ? -1 : 1;
    else {
      let big = 0;
      for (let j = 0; j < d; j++) if (Math.abs(v[j]) > Math.abs(big)) big = v[j];
      sign = big < 0 ? -1 : 1;
    }
    if (sign < 0) for (let j = 0; j < d; j++) v[j] = -v[j];
    axes.push(v);
    variance.push(lambda / (n - 1));
  }
  return { mean, axes: [axes[0], axes[1]], variance: [variance[0], variance[1]], totalVariance: total };
}

/** Coordinates of one vector on the two axes. */
export function projectPca2(pca: Pca2, row: ArrayLike<number>): [number, number] {
  let a = 0;
  let b = 0;
  const [u, v] = pca.axes;
  for (let j = 0; j < pca.mean.length; j++) {
    const c = row[j] - pca.mean[j];
    a += c * u[j];
    b += c * v[j];
  }
  return [a, b];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

// Remove the components along `axes` (orthonormal) and scale to unit length;
// a vector that vanishes becomes the first basis vector not in their span.
function orthonormalise(v: Float64Array, axes: Float64Array[]): void {
  for (const a of axes) {
    const p = dot(v, a);
    for (let j = 0; j < v.length; j++) v[j] -= p * a[j];
  }
  let norm = Math.sqrt(dot(v, v));
  if (norm < 1e-15) {
    v.fill(0);
    v[axes.length < v.length ? axes.length : 0] = 1;
    for (const a of axes) {
      const p = dot(v, a);
      for (let j = 0; j < v.length; j++) v[j] -= p * a[j];
    }
    norm = Math.sqrt(dot(v, v)) || 1;
  }
  for (let j = 0; j < v.length; j++) v[j] /= norm;
}

// A deterministic start: the centred row with the most energy left outside `axes`.
function largestResidual(x: Float64Array[], axes: Float64Array[]): Float64Array {
  let best = x[0];
  let bestNorm = -1;
  for (const c of x) {
    let norm = dot(c, c);
    for (const a of axes) norm -= dot(c, a) ** 2;
    if (norm > bestNorm) {
      bestNorm = norm;
      best = c;
    }
  }
  return Float64Array.from(best);
}
