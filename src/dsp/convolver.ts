/**
 * Multichannel streaming convolution: one mono input, an IR of K channels
 * (1 mono, 2 binaural, 4 first-order ambisonic, ...), K output channels.
 * All IR channels share the input's FFT. Uniformly partitioned overlap-save
 * with a frequency-domain delay line (see olsEngine.ts), PFFFT in wasm.
 */
import { Errors } from '../errors.ts';
import { CONVOLVER_DEFAULTS, type ConvolverOptions, validateConvolverOptions } from './convolverOptions.ts';
import { IrSpectra, validateIr } from './irSpectra.ts';
import { OlsEngine } from './olsEngine.ts';
import { heapF32 } from './pffft.ts';

export { CONVOLVER_DEFAULTS, type ConvolverOptions, validateConvolverOptions };

/**
 * Streaming convolver with zero latency: after feeding n samples in total,
 * in chunks of any size, exactly n output samples per channel have come out,
 * and output sample i is (x * h)[i]. Chunking changes results only by float32
 * rounding (a few 1e-7 of the output peak). Holds wasm memory: call
 * {@link dispose} when done (a finalizer frees it otherwise, later).
 *
 * @example
 * const conv = new StreamingConvolver([irLeft, irRight]);
 * const [left, right] = conv.process(micChunk); // same length as micChunk
 * conv.setIr([irLeft2, irRight2]);              // crossfades over 1024 samples
 * conv.dispose();
 */
export class StreamingConvolver {
  readonly channelCount: number;
  readonly options: Readonly<ConvolverOptions>;
  private readonly engine: OlsEngine;
  private current: IrSpectra;
  private incoming: IrSpectra | null = null;
  private queued: readonly Float32Array[] | null = null;
  private fadeStart = 0;
  /** Output samples produced since construction or reset. */
  private position = 0;
  private disposed = false;

  /** @param ir K channels of equal, non-zero length (copied; not kept). */
  constructor(ir: readonly Float32Array[], opts: Partial<ConvolverOptions> = {}) {
    this.options = Object.freeze({ ...CONVOLVER_DEFAULTS, ...opts });
    validateConvolverOptions(this.options);
    validateIr(ir);
    this.channelCount = ir.length;
    const b = this.options.blockSize;
    this.engine = new OlsEngine(b, Math.ceil(ir[0].length / b));
    this.current = new IrSpectra(ir, this.engine.fft, b, this.engine.scratch);
  }

  /** Convolve the next `input.length` samples; returns that many samples per output channel. */
  process(input: Float32Array): Float32Array[] {
    const out = Array.from({ length: this.channelCount }, () => new Float32Array(input.length));
    this.processInto(input, out, 0);
    return out;
  }

  /** Like {@link process}, writing into `output[k][outputOffset ..]` (no allocation per call). */
  processInto(input: Float32Array, output: Float32Array[], outputOffset = 0): void {
    this.checkLive();
    const e = this.engine;
    for (let i = 0; i < input.length;) {
      const from = e.fill;
      const count = Math.min(input.length - i, e.blockSize - from);
      e.push(input, i, count);
      this.emit(from, output, outputOffset + i);
      if (e.fill === e.blockSize) e.advance();
      i += count;
    }
  }

  /**
   * Switch to another IR (same channel count, any length) from the next
   * sample on, crossfading the old and new outputs over `crossfadeSamples`
   * with an equal-gain raised-cosine ramp; both run in full during the fade.
   * The new IR sees the input history the FDL kept, which covers the longest
   * IR used so far: a longer new IR misses its response to older input
   * (its late tail builds up over its own length). Called again during a
   * fade, the IR waits until that fade ends (only the latest one is kept).
   */
  setIr(ir: readonly Float32Array[]): void {
    this.checkLive();
    validateIr(ir, this.channelCount);
    if (this.incoming) {
      this.queued = ir.map((c) => c.slice());
      return;
    }
    this.startFade(ir);
  }

  /** Forget the input history (as if new); a pending IR switch completes at once. */
  reset(): void {
    this.checkLive();
    const next = this.queued;
    this.queued = null;
    if (this.incoming) this.finishFade();
    if (next) {
      this.current.dispose();
      this.current = this.spectraOf(next);
    }
    this.engine.reset();
    this.position = 0;
  }

  /** Free the wasm memory (idempotent). Further process/setIr/reset calls throw. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.current.dispose();
    this.incoming?.dispose();
    this.engine.dispose();
  }

  private checkLive(): void {
    if (this.disposed) throw new Errors.INVALID_OPTION('StreamingConvolver used after dispose(); create a new one');
  }

  private spectraOf(ir: readonly Float32Array[]): IrSpectra {
    const b = this.engine.blockSize;
    this.engine.ensurePartitions(Math.ceil(ir[0].length / b));
    return new IrSpectra(ir, this.engine.fft, b, this.engine.scratch);
  }

  private startFade(ir: readonly Float32Array[]): void {
    this.incoming = this.spectraOf(ir);
    this.fadeStart = this.position;
    if (this.options.crossfadeSamples === 0) this.finishFade();
  }

  private finishFade(): void {
    this.current.dispose();
    this.current = this.incoming!;
    this.incoming = null;
  }

  /**
   * Write the current block's samples [from, fill) to output at `at`. A fade
   * that ends inside the range ends at its exact sample (so a queued IR
   * starts fading there, whatever the chunking).
   */
  private emit(from: number, output: Float32Array[], at: number): void {
    const to = this.engine.fill;
    while (from < to) {
      const end = this.incoming ? Math.min(to, from + this.fadeStart + this.options.crossfadeSamples - this.position) : to;
      this.renderSegment(from, end, output, at);
      at += end - from;
      this.position += end - from;
      from = end;
      if (this.incoming && this.position >= this.fadeStart + this.options.crossfadeSamples) {
        this.finishFade();
        const next = this.queued;
        this.queued = null;
        if (next) this.startFade(next);
      }
    }
  }

  private renderSegment(from: number, to: number, output: Float32Array[], at: number): void {
    const e = this.engine;
    for (let k = 0; k < this.channelCount; k++) {
      const base = e.render(this.current, k);
      output[k].set(heapF32().subarray(base + from, base + to), at);
    }
    if (!this.incoming) return;
    // Equal-gain raised-cosine ramp: g rises 0 -> 1 over crossfadeSamples from fadeStart.
    const t0 = this.position - from - this.fadeStart;
    const len = this.options.crossfadeSamples;
    for (let k = 0; k < this.channelCount; k++) {
      const base = e.render(this.incoming, k);
      const heap = heapF32();
      const dst = output[k];
      for (let j = from; j < to; j++) {
        const g = 0.5 - 0.5 * Math.cos((Math.PI * (t0 + j)) / len);
        const old = dst[at + j - from];
        dst[at + j - from] = old + g * (heap[base + j] - old);
      }
    }
  }
}

/**
 * Offline convolution through the same streaming engine: `x` convolved with
 * each IR channel, cut to `x.length` (the Nat-HEAR recipe: full convolution,
 * no direct-path alignment, tail dropped). Same samples as streaming `x`
 * through a {@link StreamingConvolver}. Empty `x` gives K empty channels.
 */
export function convolve(x: Float32Array, ir: readonly Float32Array[], opts?: Partial<ConvolverOptions>): Float32Array[] {
  const conv = new StreamingConvolver(ir, opts);
  try {
    return conv.process(x);
  } finally {
    conv.dispose();
  }
}

/**
 * Full linear convolution, `x.length + ir[0].length - 1` samples per channel
 * (what scipy.signal.fftconvolve(x, h) returns); K empty channels for empty `x`.
 */
export function convolveFull(x: Float32Array, ir: readonly Float32Array[], opts?: Partial<ConvolverOptions>): Float32Array[] {
  const conv = new StreamingConvolver(ir, opts);
  try {
    const n = x.length === 0 ? 0 : x.length + ir[0].length - 1;
    const out = Array.from({ length: ir.length }, () => new Float32Array(n));
    if (n === 0) return out;
    conv.processInto(x, out, 0);
    conv.processInto(new Float32Array(n - x.length), out, x.length);
    return out;
  } finally {
    conv.dispose();
  }
}
