/**
 * A multichannel impulse response cut into uniform partitions and
 * transformed once, ready for the frequency-domain delay line of
 * {@link OlsEngine}. Internal to src/dsp.
 */
import { Errors } from '../errors.ts';
import { heapF32, type RealFft, WasmArena } from './pffft.ts';

/** Check an IR: at least one channel, all channels the same non-zero length, finite samples. */
export function validateIr(ir: readonly Float32Array[], expectedChannels?: number): void {
  if (!Array.isArray(ir) || ir.length === 0) {
    throw new Errors.INVALID_OPTION('ir must be a non-empty array of Float32Array channels, got ' + (Array.isArray(ir) ? 'an empty array' : typeof ir));
  }
  if (expectedChannels !== undefined && ir.length !== expectedChannels) {
    throw new Errors.INVALID_OPTION(`ir must keep the convolver's ${expectedChannels} channel(s), got ${ir.length}; build a new StreamingConvolver to change the channel count`);
  }
  const len = ir[0].length;
  for (let k = 0; k < ir.length; k++) {
    const ch = ir[k];
    if (!(ch instanceof Float32Array)) throw new Errors.INVALID_OPTION(`ir[${k}] must be a Float32Array`);
    if (ch.length === 0 || ch.length !== len) {
      throw new Errors.INVALID_OPTION(`ir channels must share one non-zero length; ir[0] has ${len} samples, ir[${k}] has ${ch.length}`);
    }
    for (let i = 0; i < len; i++) {
      if (!Number.isFinite(ch[i])) throw new Errors.INVALID_OPTION(`ir[${k}][${i}] is ${ch[i]}; IR samples must be finite`);
    }
  }
}

/** Spectra of an IR's partitions (K x P x N floats) and per-channel tail accumulators, in the wasm heap. */
export class IrSpectra {
  readonly channels: number;
  /** Number of partitions P = ceil(length / blockSize). */
  readonly partitions: number;
  /** IR length in samples. */
  readonly length: number;
  /**
   * The block id for which `tail` holds sum_{p>=1} X[i-p] * H[p] per channel
   * (the part of the current block's output that its own input cannot
   * change); -1 when stale.
   */
  tailBlock = -1;
  private readonly arena: WasmArena;
  private readonly spectra: number;
  private readonly tails: number;
  private readonly fftSize: number;

  /** `scratch`: a byte pointer to `fft.size` floats the constructor may overwrite. */
  constructor(ir: readonly Float32Array[], fft: RealFft, blockSize: number, scratch: number) {
    const n = fft.size;
    this.fftSize = n;
    this.channels = ir.length;
    this.length = ir[0].length;
    this.partitions = Math.ceil(this.length / blockSize);
    this.arena = new WasmArena(this);
    this.spectra = this.arena.floats(this.channels * this.partitions * n);
    this.tails = this.arena.floats(this.channels * n);
    const s = scratch >> 2;
    for (let k = 0; k < this.channels; k++) {
      for (let p = 0; p < this.partitions; p++) {
        // Overlap-save: partition taps in the first half, zeros in the second.
        const heap = heapF32();
        heap.fill(0, s, s + n);
        heap.set(ir[k].subarray(p * blockSize, Math.min((p + 1) * blockSize, this.length)), s);
        fft.forward(scratch, this.partition(k, p));
      }
    }
  }

  /** Byte pointer to the spectrum of partition `p` of channel `k`. */
  partition(k: number, p: number): number {
    return this.spectra + (k * this.partitions + p) * this.fftSize * 4;
  }

  /** Byte pointer to channel `k`'s cached tail spectrum. */
  tail(k: number): number {
    return this.tails + k * this.fftSize * 4;
  }

  /** Free the wasm memory; the object may not be used afterwards. */
  dispose(): void {
    this.arena.dispose();
  }
}
