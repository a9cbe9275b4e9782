import FFT from 'fft.js';

/** STFT settings for the scrolling spectrograms. */
export interface SpectrogramOptions {
  /** FFT length in samples, a power of two (512 at 16 kHz: 32 ms, 31.25 Hz bins). */
  fftSize: number;
  /** Samples between columns (256 at 16 kHz: 16 ms per column). */
  hopSize: number;
  /** Level mapped to 0 and to 1, dBFS per bin (a full-scale sine reads 0 dBFS). */
  minDb: number;
  maxDb: number;
}

export const SPECTROGRAM_DEFAULTS: Readonly<SpectrogramOptions> = Object.freeze({ fftSize: 512, hopSize: 256, minDb: -100, maxDb: -10 });

/**
 * A streaming short-time Fourier transform: push samples in any chunk size,
 * get back the columns completed so far (Hann window, `fftSize / 2` bins from
 * DC up, each level in dBFS scaled to 0..1 between `minDb` and `maxDb` and
 * clamped). Silence gives 0s; nothing clips above 1. The same samples give the
 * same columns whatever the chunking.
 */
export class SpectrogramBuilder {
  readonly options: SpectrogramOptions;
  private readonly fft: FFT;
  private readonly window: Float64Array;
  private readonly frame: Float64Array;
  private readonly spectrum: number[];
  private readonly pending: Float32Array;
  private filled = 0;
  private readonly scale: number;

  constructor(options: Partial<SpectrogramOptions> = {}) {
    const o = { ...SPECTROGRAM_DEFAULTS, ...options };
    if (!Number.isInteger(Math.log2(o.fftSize)) || o.fftSize < 16) throw new RangeError(`fftSize must be a power of two >= 16, got ${o.fftSize}`);
    if (!(o.hopSize >= 1 && o.hopSize <= o.fftSize)) throw new RangeError(`hopSize must be in 1..fftSize, got ${o.hopSize}`);
    if (!(o.minDb < o.maxDb)) throw new RangeError(`minDb (${o.minDb}) must be below maxDb (${o.maxDb})`);
    this.options = o;
    this.fft = new FFT(o.fftSize);
    this.window = new Float64Array(o.fftSize);
    let sum = 0;
    for (let i = 0; i < o.fftSize; i++) {
      this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / o.fftSize);
      sum += this.window[i];
    }
    // |X_k| of a full-scale sine is sum(w)/2: scale so that it reads 0 dBFS.
    this.scale = 2 / sum;
    this.frame = new Float64Array(o.fftSize);
    this.spectrum = this.fft.createComplexArray();
    this.pending = new Float32Array(o.fftSize);
  }

  /** Bins per column. */
  get bins(): number {
    return this.options.fftSize / 2;
  }

  push(samples: Float32Array): Float32Array[] {
    const { fftSize, hopSize, minDb, maxDb } = this.options;
    const columns: Float32Array[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(fftSize - this.filled, samples.length - offset);
      this.pending.set(samples.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled < fftSize) break;
      for (let i = 0; i < fftSize; i++) this.frame[i] = this.pending[i] * this.window[i];
      this.fft.realTransform(this.spectrum, this.frame);
      const column = new Float32Array(fftSize / 2);
      for (let k = 0; k < column.length; k++) {
        const re = this.spectrum[2 * k];
        const im = this.spectrum[2 * k + 1];
        const db = 10 * Math.log10((re * re + im * im) * this.scale * this.scale + 1e-20);
        column[k] = Math.min(1, Math.max(0, (db - minDb) / (maxDb - minDb)));
      }
      columns.push(column);
      this.pending.copyWithin(0, hopSize, fftSize);
      this.filled = fftSize - hopSize;
    }
    return columns;
  }

  reset(): void {
    this.filled = 0;
  }
}
