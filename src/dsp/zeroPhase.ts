import { heapF32, WasmArena, type RealFft } from './pffft.ts';

/**
 * Zero-phase filtering in the frequency domain: multiply the spectrum by a
 * real, non-negative response and transform back. Applying the squared
 * magnitude of a digital Butterworth filter this way is what
 * scipy.signal.sosfiltfilt does in the time domain (forward and backward
 * pass), up to its edge padding. The transforms are PFFFT's (single precision,
 * see pffft.ts): the filtered signal carries rounding at about 1e-7 of its peak.
 */

/** A real response as a function of frequency in Hz. */
export type Response = (hz: number) => number;

/** The next power of two ≥ n (at least 2). */
export function fftSizeFor(n: number): number {
  let size = 2;
  while (size < n) size *= 2;
  return size;
}

// PFFFT's smallest real transform.
const MIN_SIZE = 32;

/**
 * Filter `x` with each of the zero-phase `responses` (one output per response, each as
 * long as the input). The input is zero-padded to twice its length, so the filters'
 * non-causal part wraps into the padding instead of onto the signal's start; with
 * `circular` it is treated as one period of a periodic signal instead (padded only to
 * a power of two).
 *
 * @example
 * const [low, high] = filterZeroPhase(ir, 16000, [(f) => (f < 1000 ? 1 : 0), (f) => (f < 1000 ? 0 : 1)]);
 */
export function filterZeroPhase(x: ArrayLike<number>, sampleRateHz: number, responses: readonly Response[], opts: { circular?: boolean } = {}): Float64Array[] {
  const outs = responses.map(() => new Float64Array(x.length));
  filterZeroPhaseInto(x, sampleRateHz, responses, outs, opts);
  return outs;
}

/**
 * {@link filterZeroPhase} into the caller's arrays: `outs[k]` (as long as `x`) receives
 * `x` filtered by `responses[k]`, overwritten.
 */
export function filterZeroPhaseInto(
  x: ArrayLike<number>,
  sampleRateHz: number,
  responses: readonly Response[],
  outs: readonly (Float32Array | Float64Array)[],
  opts: { circular?: boolean } = {},
): void {
  const n = x.length;
  withSpectrum(opts.circular ? n : 2 * n, (spectrum) => {
    spectrum.load(x);
    responses.forEach((response, k) => {
      spectrum.clearAcc();
      spectrum.accumulate(response, sampleRateHz);
      spectrum.inverse(outs[k]);
    });
  });
}

/**
 * Σ_b filter_b(x_b): each input through its own zero-phase response, summed, in one
 * inverse transform (inputs zero-padded to twice the longest).
 */
export function sumFiltered(inputs: readonly ArrayLike<number>[], responses: readonly Response[], sampleRateHz: number): Float64Array {
  const n = Math.max(...inputs.map((x) => x.length));
  return withSpectrum(2 * n, (spectrum) => {
    spectrum.clearAcc();
    inputs.forEach((x, b) => {
      spectrum.load(x);
      spectrum.accumulate(responses[b], sampleRateHz);
    });
    return spectrum.inverse(new Float64Array(n));
  });
}

// Transform buffers are kept per size up to this many floats (a few MB in all); larger ones are freed after the call.
const KEPT_SIZE = 1 << 18;
const spectra = new Map<number, Spectrum>();

// Run `use` with a Spectrum of at least `minLength` points (callers are synchronous and do not nest).
function withSpectrum<T>(minLength: number, use: (spectrum: Spectrum) => T): T {
  const size = Math.max(MIN_SIZE, fftSizeFor(minLength));
  const kept = spectra.get(size);
  if (kept) return use(kept);
  const spectrum = new Spectrum(size);
  if (size <= KEPT_SIZE) {
    spectra.set(size, spectrum);
    return use(spectrum);
  }
  try {
    return use(spectrum);
  } finally {
    spectrum.dispose();
  }
}

// One transform size: a loaded signal's spectrum and an accumulator, in the wasm heap (PFFFT's z-domain order).
class Spectrum {
  readonly size: number;
  private readonly arena = new WasmArena(this);
  private readonly fft: RealFft;
  private readonly time: number;
  private readonly spec: number;
  private readonly acc: number;
  private readonly gains: number;

  constructor(size: number) {
    this.size = size;
    this.fft = this.arena.realFft(size);
    this.time = this.arena.floats(size);
    this.spec = this.arena.floats(size);
    this.acc = this.arena.floats(size);
    this.gains = this.arena.floats(size);
  }

  load(x: ArrayLike<number>): void {
    const heap = heapF32();
    const at = this.time >> 2;
    heap.set(x, at);
    heap.fill(0, at + x.length, at + this.size);
    this.fft.forward(this.time, this.spec);
  }

  clearAcc(): void {
    heapF32().fill(0, this.acc >> 2, (this.acc >> 2) + this.size);
  }

  // acc += response × spectrum / size (so the unscaled inverse returns the filtered signal).
  accumulate(response: Response, sampleRateHz: number): void {
    heapF32().set(zGains(response, this.size, sampleRateHz, this.fft, this.time, this.gains), this.gains >> 2);
    this.fft.zconvolve(this.spec, this.gains, this.acc, 1 / this.size);
  }

  // The first out.length samples of the inverse transform of acc.
  inverse<T extends Float32Array | Float64Array>(out: T): T {
    this.fft.backward(this.acc, this.time);
    const at = this.time >> 2;
    out.set(heapF32().subarray(at, at + out.length));
    return out;
  }

  dispose(): void {
    this.arena.dispose();
  }
}

// A response at the bins of one transform size as a z-domain spectrum of real gains, kept while the response object lives (keep responses you reuse).
const sampled = new WeakMap<Response, Map<string, Float32Array>>();
function zGains(response: Response, size: number, sampleRateHz: number, fft: RealFft, scratchA: number, scratchB: number): Float32Array {
  let bySize = sampled.get(response);
  if (!bySize) sampled.set(response, (bySize = new Map()));
  const key = `${size}@${sampleRateHz}`;
  let gains = bySize.get(key);
  if (!gains) {
    // Ordered layout: DC, Nyquist, then (re, im) per bin; a real gain has no imaginary part.
    const heap = heapF32();
    const a = scratchA >> 2;
    heap[a] = response(0);
    heap[a + 1] = response(sampleRateHz / 2);
    for (let b = 1; b < size / 2; b++) {
      heap[a + 2 * b] = response((b * sampleRateHz) / size);
      heap[a + 2 * b + 1] = 0;
    }
    fft.reorder(scratchA, scratchB, 'toZ');
    gains = heap.slice(scratchB >> 2, (scratchB >> 2) + size);
    bySize.set(key, gains);
  }
  return gains;
}

// tan(π f / fs): the bilinear transform's pre-warped frequency.
function warp(hz: number, sampleRateHz: number): number {
  return Math.tan((Math.PI * Math.min(hz, 0.5 * sampleRateHz * 0.999999)) / sampleRateHz);
}

/**
 * |H|² of scipy's digital Butterworth high-pass `butter(order, cutoffHz, 'highpass')`,
 * i.e. the response of sosfiltfilt with it: 1 / (1 + (tan(πfc/fs) / tan(πf/fs))^(2N)).
 */
export function butterworthHighpassPower(order: number, cutoffHz: number, sampleRateHz: number): Response {
  const wc = warp(cutoffHz, sampleRateHz);
  return (hz) => (hz <= 0 ? 0 : 1 / (1 + (wc / warp(hz, sampleRateHz)) ** (2 * order)));
}

/**
 * |H|² of scipy's digital Butterworth band-pass `butter(order, [lowHz, highHz], 'bandpass')`
 * (an order-N low-pass prototype mapped by s → (s² + Ω0²)/(B·s) on pre-warped edges).
 */
export function butterworthBandpassPower(order: number, lowHz: number, highHz: number, sampleRateHz: number): Response {
  const w1 = warp(lowHz, sampleRateHz);
  const w2 = warp(highHz, sampleRateHz);
  const w0sq = w1 * w2;
  const bw = w2 - w1;
  return (hz) => {
    if (hz <= 0) return 0;
    const w = warp(hz, sampleRateHz);
    return 1 / (1 + ((w * w - w0sq) / (bw * w)) ** (2 * order));
  };
}
