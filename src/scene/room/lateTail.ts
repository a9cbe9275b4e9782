import { heapF32, WasmArena } from '../../dsp/pffft.ts';
import { fftSizeFor } from '../../dsp/zeroPhase.ts';
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
const COS = Float32Array.from({ length: PHASES }, (_, i) => Math.cos((2 * Math.PI * i) / PHASES));
const SIN = Float32Array.from({ length: PHASES }, (_, i) => Math.sin((2 * Math.PI * i) / PHASES));

// Z_k in PFFFT's ordered layout at heap[zo ..] (DC and Nyquist stay zero); two 12-bit phase indices per uniform draw.
// A loop of its own: inside planeWaveDiffuse it ran interpreted until on-stack replacement, which the code after it undid.
function randomPhases(heap: Float32Array, zo: number, bins: number, rng: Rng): void {
  for (let b = 1; b < bins - 1; b += 2) {
    const u = Math.floor(rng.float() * PHASES * PHASES);
    const p = u & (PHASES - 1);
    heap[zo + 2 * b] = COS[p];
    heap[zo + 2 * b + 1] = SIN[p];
    if (b + 1 < bins - 1) {
      const q = u >>> PHASE_BITS;
      heap[zo + 2 * b + 2] = COS[q];
      heap[zo + 2 * b + 3] = SIN[q];
    }
  }
}

/**
 * Frequency response of channel `ch` to a plane wave from direction `k` at the
 * bins of a real FFT of `fftSize` points (bin b is b·fs/fftSize Hz), as a
 * PFFFT spectrum (see src/dsp/pffft.ts): either written into the scratch
 * `ordered` (PFFFT's ordered layout: X(0), X(N/2), then Re, Im of X(1) …)
 * and returned as `{ ordered }`, or returned from the caller's own (cached)
 * z-domain spectrum as `{ z }`.
 */
export type DirectionalResponse = (k: number, ch: number, fftSize: number, ordered: Float32Array) => { ordered: Float32Array } | { z: Float32Array };

/**
 * A diffuse field as the sum of `directions` independent plane waves, each white
 * noise filtered by the receiver's response to its direction:
 * X_ch(f) = Σ_k G_k,ch(f)·Z_k(f), built directly in the frequency domain (no
 * forward FFTs) and brought back with one inverse FFT per channel. Each Z_k is
 * random-phase noise (unit magnitude, phase uniform on a 4096-step circle): a
 * third of the cost of complex Gaussians, and the sum over directions is
 * Gaussian all the same (central limit). The result is periodic with the FFT
 * size (≥ n): stationary, with the inter-channel coherence of the summed field.
 * DC and Nyquist are zero. Single precision (PFFFT's multiply-accumulate and transform).
 */
export function planeWaveDiffuse(n: number, channels: number, directions: number, response: DirectionalResponse, rng: Rng): Float32Array[] {
  const size = Math.max(32, fftSizeFor(n));
  const bins = size / 2 + 1;
  const arena = new WasmArena(response);
  try {
    const fft = arena.realFft(size);
    const acc = Array.from({ length: channels }, () => arena.floats(size));
    const zOrdered = arena.floats(size);
    const z = arena.floats(size);
    const gOrdered = arena.floats(size);
    const g = arena.floats(size);
    const scratch = new Float32Array(size);
    for (let k = 0; k < directions; k++) {
      randomPhases(heapF32(), zOrdered >> 2, bins, rng);
      fft.reorder(zOrdered, z, 'toZ');
      for (let ch = 0; ch < channels; ch++) {
        const r = response(k, ch, size, scratch);
        if ('z' in r) {
          heapF32().set(r.z, g >> 2);
        } else {
          heapF32().set(r.ordered, gOrdered >> 2);
          fft.reorder(gOrdered, g, 'toZ');
        }
        // The inverse below is unscaled: fold its 1/size in here.
        fft.zconvolve(z, g, acc[ch], 1 / size);
      }
    }
    const time = zOrdered;
    return acc.map((a) => {
      fft.backward(a, time);
      return heapF32().slice(time >> 2, (time >> 2) + n);
    });
  } finally {
    arena.dispose();
  }
}
