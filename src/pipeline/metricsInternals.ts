/** The numbers behind windowMetrics: pure functions over embeddings and samples. */
import { rmsDbfs } from '../dsp/level.ts';

/**
 * Cosine similarity a·b / (|a| |b|), in float64. Two zero vectors are
 * identical (1); one zero vector against another is 0.
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa === 0 || bb === 0) return aa === bb ? 1 : 0;
  return ab / Math.sqrt(aa * bb);
}

/** Reported for silence, since JSON has no -Infinity. */
export const LEVEL_FLOOR_DBFS = -120;

/** RMS level of all samples of all channels in dBFS, floored at {@link LEVEL_FLOOR_DBFS}. */
export function levelDbfs(channels: readonly Float32Array[]): number {
  return Math.max(LEVEL_FLOOR_DBFS, rmsDbfs(channels));
}

/** The q-quantile (0..1) of the values, by linear interpolation between order statistics; 0 for none. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Linear CKA (Kornblith et al. 2019, "Similarity of Neural Network
 * Representations Revisited", eq. for the linear kernel) between two sets of
 * embeddings of the same n windows, rows x_i and y_i, over a rolling window
 * of the last `capacity` pairs:
 *
 *   CKA = <HKH, HLH>_F / (||HKH||_F ||HLH||_F),  K = X Xᵀ, L = Y Yᵀ, H = I − 11ᵀ/n
 *
 * Each push adds one row of each Gram matrix (2·n·d multiply-adds); the
 * centring is done on the Grams (n² per push). Invariant to isotropic
 * scaling and orthogonal transforms of either side; 1 when Y is X rotated.
 * Null until 3 pairs, and when either side does not vary across the windows.
 */
export class RollingCka {
  private readonly xs: Float64Array[];
  private readonly ys: Float64Array[];
  private readonly kx: Float64Array;
  private readonly ky: Float64Array;
  private readonly rowX: Float64Array;
  private readonly rowY: Float64Array;
  private count = 0;
  private next = 0;

  constructor(readonly capacity: number, readonly dim: number) {
    this.xs = Array.from({ length: capacity }, () => new Float64Array(dim));
    this.ys = Array.from({ length: capacity }, () => new Float64Array(dim));
    this.kx = new Float64Array(capacity * capacity);
    this.ky = new Float64Array(capacity * capacity);
    this.rowX = new Float64Array(capacity);
    this.rowY = new Float64Array(capacity);
  }

  /** Add a pair (clean, degraded) and return the CKA over the pairs kept. */
  push(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
    const s = this.next;
    this.xs[s].set(x);
    this.ys[s].set(y);
    this.next = (s + 1) % this.capacity;
    this.count = Math.min(this.capacity, this.count + 1);
    for (let j = 0; j < this.count; j++) {
      this.kx[s * this.capacity + j] = this.kx[j * this.capacity + s] = dot(this.xs[s], this.xs[j]);
      this.ky[s * this.capacity + j] = this.ky[j * this.capacity + s] = dot(this.ys[s], this.ys[j]);
    }
    if (this.count < 3) return null;
    const { kl, kk, ll } = centredProducts(this.kx, this.ky, this.count, this.capacity, this.rowX, this.rowY);
    return kk > 0 && ll > 0 ? kl / Math.sqrt(kk * ll) : null;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * <HKH, HLH>, <HKH, HKH> and <HLH, HLH> over the first n slots of two
 * symmetric Grams stored with row stride `stride`, in one pass and without
 * forming HKH: since H is idempotent, <HKH, HLH> = tr(HKHL)
 * = Σ K∘L − (2/n) Σ_i k_i l_i + (Σk)(Σl)/n², with k_i, l_i the row sums
 * (slot order does not matter to CKA). `rowK`, `rowL`: scratch of n.
 */
function centredProducts(K: Float64Array, L: Float64Array, n: number, stride: number, rowK: Float64Array, rowL: Float64Array): { kl: number; kk: number; ll: number } {
  let kl = 0;
  let kk = 0;
  let ll = 0;
  for (let i = 0; i < n; i++) {
    let sk = 0;
    let sl = 0;
    for (let j = 0, o = i * stride; j < n; j++, o++) {
      const k = K[o];
      const l = L[o];
      sk += k;
      sl += l;
      kl += k * l;
      kk += k * k;
      ll += l * l;
    }
    rowK[i] = sk;
    rowL[i] = sl;
  }
  let rkl = 0;
  let rkk = 0;
  let rll = 0;
  let tk = 0;
  let tl = 0;
  for (let i = 0; i < n; i++) {
    rkl += rowK[i] * rowL[i];
    rkk += rowK[i] * rowK[i];
    rll += rowL[i] * rowL[i];
    tk += rowK[i];
    tl += rowL[i];
  }
  // Centring a side that does not vary cancels to rounding noise: call that 0.
  const noise = (raw: number, centred: number) => (centred > raw * 1e-12 ? centred : 0);
  return {
    kl: kl - (2 / n) * rkl + (tk * tl) / (n * n),
    kk: noise(kk, kk - (2 / n) * rkk + (tk * tk) / (n * n)),
    ll: noise(ll, ll - (2 / n) * rll + (tl * tl) / (n * n)),
  };
}
