import FFT from 'fft.js';
import type { Rng } from '../../random.ts';

/**
 * Diffuse-noise generators for the stochastic late tail. Each returns
 * stationary noise whose inter-channel statistics are those of an isotropic
 * diffuse field at the receiver; the caller scales it and applies the decay.
 */

/** Number of plane-wave directions summed for the binaural and array diffuse fields. */
export const DIFFUSE_DIRECTIONS = 48;

/**
 * `count` nearly uniform unit vectors on the sphere (Fibonacci lattice,
 * Á. González, "Measurement of areas on a sphere using Fibonacci and
 * latitude–longitude lattices", Math. Geosci. 2010), 3 numbers each.
 */
export function fibonacciSphere(count: number): Float64Array {
  const out = new Float64Array(count * 3);
  const golden = Math.PI * (3 - Math.sqrt(5));
  for (let i = 0; i < count; i++) {
    const z = 1 - (2 * i + 1) / count;
    const r = Math.sqrt(1 - z * z);
    out.set([r * Math.cos(golden * i), r * Math.sin(golden * i), z], 3 * i);
  }
  return out;
}

/** `n` samples of zero-mean, unit-variance Gaussian white noise (Box–Muller, both outputs used). */
export function whiteNoise(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const m = Math.sqrt(-2 * Math.log(1 - rng.float()));
    const a = 2 * Math.PI * rng.float();
    out[i] = m * Math.cos(a);
    if (i + 1 < n) out[i + 1] = m * Math.sin(a);
  }
  return out;
}

const PHASE_BITS = 12;
const PHASES = 1 << PHASE_BITS;
const COS = Float64Array.from({ length: PHASES }, (_, i) => Math.cos((2 * Math.PI * i) / PHASES));
const SIN = Float64Array.from({ length: PHASES }, (_, i) => Math.sin((2 * Math.PI * i) / PHASES));

/**
 * Frequency response of channel `ch` to a plane wave from direction `k` for bins
 * 0..fftSize/2 (bin b is b·fs/fftSize Hz): either written into the scratch `re`/`im`
 * and returned, or returned from the caller's own (cached) arrays.
 */
export type DirectionalResponse = (
  k: number,
  ch: number,
  fftSize: number,
  re: Float64Array,
  im: Float64Array,
) => { re: Float64Array; im: Float64Array };

/**
 * A diffuse field as the sum of `directions` independent plane waves, each white
 * noise filtered by the receiver's response to its direction:
 * X_ch(f) = Σ_k G_k,ch(f)·Z_k(f), built directly in the frequency domain (no
 * forward FFTs) and brought back with one inverse FFT per channel. Each Z_k is
 * random-phase noise (unit magnitude, phase uniform on a 4096-step circle): a
 * third of the cost of complex Gaussians, and the sum over directions is
 * Gaussian all the same (central limit). The result is periodic with the FFT
 * size (≥ n): stationary, with the inter-channel coherence of the summed field.
 * DC and Nyquist are zero.
 */
export function planeWaveDiffuse(n: number, channels: number, directions: number, response: DirectionalResponse, rng: Rng): Float32Array[] {
  let size = 2;
  while (size < n) size *= 2;
  const bins = size / 2 + 1;
  const accRe = Array.from({ length: channels }, () => new Float64Array(bins));
  const accIm = Array.from({ length: channels }, () => new Float64Array(bins));
  const zRe = new Float64Array(bins);
  const zIm = new Float64Array(bins);
  const gRe = new Float64Array(bins);
  const gIm = new Float64Array(bins);
  for (let k = 0; k < directions; k++) {
    // Two 12-bit phase indices per uniform draw.
    for (let b = 1; b < bins - 1; b += 2) {
      const u = Math.floor(rng.float() * PHASES * PHASES);
      const p = u & (PHASES - 1);
      const q = u >>> PHASE_BITS;
      zRe[b] = COS[p];
      zIm[b] = SIN[p];
      zRe[b + 1] = COS[q];
      zIm[b + 1] = SIN[q];
    }
    for (let ch = 0; ch < channels; ch++) {
      const g = response(k, ch, size, gRe, gIm);
      const [hr, hi] = [g.re, g.im];
      const ar = accRe[ch];
      const ai = accIm[ch];
      for (let b = 1; b < bins - 1; b++) {
        ar[b] += hr[b] * zRe[b] - hi[b] * zIm[b];
        ai[b] += hr[b] * zIm[b] + hi[b] * zRe[b];
      }
    }
  }
  const fft = new FFT(size);
  const spec = fft.createComplexArray() as number[];
  const time = fft.createComplexArray() as number[];
  return accRe.map((ar, ch) => {
    const ai = accIm[ch];
    spec.fill(0);
    for (let b = 1; b < bins - 1; b++) {
      spec[2 * b] = ar[b];
      spec[2 * b + 1] = ai[b];
      spec[2 * (size - b)] = ar[b];
      spec[2 * (size - b) + 1] = -ai[b];
    }
    fft.inverseTransform(time, spec);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = time[2 * i];
    return out;
  });
}
