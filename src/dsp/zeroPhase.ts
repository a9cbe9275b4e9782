import FFT from 'fft.js';

/**
 * Zero-phase filtering in the frequency domain: multiply the spectrum by a
 * real, non-negative response and transform back. Applying the squared
 * magnitude of a digital Butterworth filter this way is what
 * scipy.signal.sosfiltfilt does in the time domain (forward and backward
 * pass), up to its edge padding.
 */

/** A real response as a function of frequency in Hz. */
export type Response = (hz: number) => number;

/** The next power of two ≥ n (at least 2). */
export function fftSizeFor(n: number): number {
  let size = 2;
  while (size < n) size *= 2;
  return size;
}

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
  const n = x.length;
  const spectrum = new Spectrum(opts.circular ? n : 2 * n);
  spectrum.load(x);
  return responses.map((response) => spectrum.inverse(response, sampleRateHz, n));
}

/**
 * Σ_b filter_b(x_b): each input through its own zero-phase response, summed, in one
 * inverse transform (inputs zero-padded to twice the longest).
 */
export function sumFiltered(inputs: readonly ArrayLike<number>[], responses: readonly Response[], sampleRateHz: number): Float64Array {
  const n = Math.max(...inputs.map((x) => x.length));
  const spectrum = new Spectrum(2 * n);
  const acc = new Float64Array(2 * spectrum.size);
  inputs.forEach((x, b) => {
    spectrum.load(x);
    spectrum.accumulate(responses[b], sampleRateHz, acc);
  });
  return spectrum.inverseOf(acc, n);
}

// One FFT size's transform and buffers: the full complex spectrum of a loaded signal.
// Cached per size (fft.js builds its tables and plain-array buffers slowly); callers are synchronous.
class Spectrum {
  private static readonly cache = new Map<number, { fft: FFT; input: Float64Array; spec: number[]; time: number[] }>();
  readonly size: number;
  private readonly fft: FFT;
  private readonly input: Float64Array;
  private readonly spec: number[];
  private readonly time: number[];

  constructor(minLength: number) {
    this.size = fftSizeFor(minLength);
    let hit = Spectrum.cache.get(this.size);
    if (!hit) {
      const fft = new FFT(this.size);
      hit = { fft, input: new Float64Array(this.size), spec: fft.createComplexArray() as number[], time: fft.createComplexArray() as number[] };
      Spectrum.cache.set(this.size, hit);
    }
    ({ fft: this.fft, input: this.input, spec: this.spec, time: this.time } = hit);
  }

  load(x: ArrayLike<number>): void {
    this.input.fill(0);
    this.input.set(x);
    this.fft.realTransform(this.spec, this.input);
    this.fft.completeSpectrum(this.spec);
  }

  // acc += response × spectrum (both halves, so the inverse is real).
  accumulate(response: Response, sampleRateHz: number, acc: Float64Array): void {
    const { size, spec } = this;
    const gains = sampledResponse(response, size, sampleRateHz);
    for (let b = 0; b <= size / 2; b++) {
      const g = gains[b];
      acc[2 * b] += spec[2 * b] * g;
      acc[2 * b + 1] += spec[2 * b + 1] * g;
      if (b > 0 && b < size / 2) {
        const m = size - b;
        acc[2 * m] += spec[2 * m] * g;
        acc[2 * m + 1] += spec[2 * m + 1] * g;
      }
    }
  }

  inverse(response: Response, sampleRateHz: number, n: number): Float64Array {
    const acc = new Float64Array(2 * this.size);
    this.accumulate(response, sampleRateHz, acc);
    return this.inverseOf(acc, n);
  }

  inverseOf(acc: Float64Array, n: number): Float64Array {
    this.fft.inverseTransform(this.time, acc as unknown as number[]);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.time[2 * i];
    return out;
  }
}

// A response at the bins of one FFT size, kept while the response object lives (keep responses you reuse).
const sampled = new WeakMap<Response, Map<string, Float64Array>>();
function sampledResponse(response: Response, size: number, sampleRateHz: number): Float64Array {
  let bySize = sampled.get(response);
  if (!bySize) sampled.set(response, (bySize = new Map()));
  const key = `${size}@${sampleRateHz}`;
  let gains = bySize.get(key);
  if (!gains) {
    gains = new Float64Array(size / 2 + 1);
    for (let b = 0; b <= size / 2; b++) gains[b] = response((b * sampleRateHz) / size);
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
