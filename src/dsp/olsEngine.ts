/**
 * Uniformly partitioned overlap-save convolution with a frequency-domain
 * delay line (FDL), block by block, with exact output for partial blocks.
 * Internal to src/dsp; {@link StreamingConvolver} is the public face.
 *
 * Method (Wefers, "Partitioned convolution algorithms for real-time
 * auralization", 2015, ch. 5; Gardner, JAES 43(3), 1995): with block size B
 * and FFT size N = 2B, block i's input window is [x(i-1), x(i)]; its spectrum
 * X(i) is pushed into the FDL. Output block i is the last B samples of
 * IFFT( sum_p X(i-p) * H(p) ), H(p) the spectrum of IR taps [pB, (p+1)B)
 * zero-padded to N.
 *
 * Zero latency for any chunk size: the terms p >= 1 do not depend on the
 * current block, so when a block is only partly filled they are summed once
 * into a cached "tail" spectrum; each partial render then costs one forward
 * FFT of the zero-padded window, one multiply-accumulate and one inverse FFT
 * per channel, whatever the IR length. Output sample j < fill is exact,
 * because zero-padding only changes samples after j (causality). When the
 * block completes, the same tail plus the full block's head gives the
 * remaining samples; a block rendered in one go sums the terms in the same
 * order, so full blocks are bit-identical however the input was chunked.
 */
import { heapF32, type RealFft, WasmArena } from './pffft.ts';
import type { IrSpectra } from './irSpectra.ts';

/** Input side of the convolution (window, FDL, scratch), shared by every IR that renders from it. */
export class OlsEngine {
  readonly blockSize: number;
  readonly fftSize: number;
  /** Samples of the current block received so far (0..blockSize). */
  fill = 0;
  /** Id of the current block; grows by one per block and on reset, never reused. */
  block = 0;
  readonly fft: RealFft;
  /** Byte pointer to fftSize scratch floats (free between calls). */
  readonly scratch: number;
  private readonly arena: WasmArena;
  private readonly win: number;
  private readonly partial: number;
  private readonly acc: number;
  private readonly out: number;
  private fdl: number;
  private slots: number;
  private head = 0;
  /** `fill` value for which the current block's spectrum is computed; -1: none. */
  private specFill = -1;

  constructor(blockSize: number, partitions: number) {
    this.blockSize = blockSize;
    this.fftSize = 2 * blockSize;
    this.arena = new WasmArena(this);
    this.fft = this.arena.realFft(this.fftSize);
    this.win = this.arena.floats(this.fftSize);
    this.partial = this.arena.floats(this.fftSize);
    this.acc = this.arena.floats(this.fftSize);
    this.out = this.arena.floats(this.fftSize);
    this.scratch = this.arena.floats(this.fftSize);
    this.slots = Math.max(1, partitions);
    this.fdl = this.arena.floats(this.slots * this.fftSize);
  }

  /**
   * Make the FDL hold at least `partitions` block spectra. Spectra of blocks
   * older than the previous capacity were never kept: they count as silence.
   */
  ensurePartitions(partitions: number): void {
    if (partitions <= this.slots) return;
    const n = this.fftSize;
    const grown = this.arena.floats(partitions * n);
    const heap = heapF32();
    for (let p = 0; p < this.slots; p++) {
      const from = (this.fdl >> 2) + ((this.head - p + this.slots) % this.slots) * n;
      heap.copyWithin((grown >> 2) + ((this.head - p + partitions) % partitions) * n, from, from + n);
    }
    this.arena.free(this.fdl);
    this.fdl = grown;
    this.slots = partitions;
  }

  /** Append `count` samples of `src` from `offset` to the current block (count <= blockSize - fill). */
  push(src: Float32Array, offset: number, count: number): void {
    heapF32().set(src.subarray(offset, offset + count), (this.win >> 2) + this.blockSize + this.fill);
    this.fill += count;
  }

  /**
   * Render channel `k` of `ir` for the current block as far as it is filled.
   * Returns the heap index of output sample 0 of the block; samples
   * [0, fill) there are valid until the next render.
   */
  render(ir: IrSpectra, k: number): number {
    const heap = heapF32();
    const n = this.fftSize;
    const x = this.spectrum();
    if (ir.tailBlock !== this.block && this.fill === this.blockSize) {
      // Whole block at once: sum straight into acc, same order as the cached tail.
      heap.fill(0, this.acc >> 2, (this.acc >> 2) + n);
      this.accumulateTail(ir, k, this.acc);
    } else {
      if (ir.tailBlock !== this.block) {
        for (let c = 0; c < ir.channels; c++) {
          heap.fill(0, ir.tail(c) >> 2, (ir.tail(c) >> 2) + n);
          this.accumulateTail(ir, c, ir.tail(c));
        }
        ir.tailBlock = this.block;
      }
      heap.copyWithin(this.acc >> 2, ir.tail(k) >> 2, (ir.tail(k) >> 2) + n);
    }
    this.fft.zconvolve(x, ir.partition(k, 0), this.acc, 1 / n);
    this.fft.backward(this.acc, this.out);
    return (this.out >> 2) + this.blockSize;
  }

  /** Close a full block: keep its spectrum in the FDL and slide the window. */
  advance(): void {
    this.spectrum();
    const heap = heapF32();
    const w = this.win >> 2;
    const b = this.blockSize;
    heap.copyWithin(w, w + b, w + 2 * b);
    heap.fill(0, w + b, w + 2 * b);
    this.head = (this.head + 1) % this.slots;
    this.fill = 0;
    this.block++;
    this.specFill = -1;
  }

  /** Forget all input (silence history), keep the buffers. */
  reset(): void {
    const heap = heapF32();
    heap.fill(0, this.win >> 2, (this.win >> 2) + this.fftSize);
    heap.fill(0, this.fdl >> 2, (this.fdl >> 2) + this.slots * this.fftSize);
    this.fill = 0;
    this.block++;
    this.specFill = -1;
  }

  dispose(): void {
    this.arena.dispose();
  }

  /** Spectrum of the current window: into the FDL once the block is full, else a scratch slot. */
  private spectrum(): number {
    const full = this.fill === this.blockSize;
    const dst = full ? this.slot(0) : this.partial;
    if (this.specFill !== this.fill) {
      // The unfilled part of the window is kept at zero (see advance/reset).
      this.fft.forward(this.win, dst);
      this.specFill = this.fill;
    }
    return dst;
  }

  private accumulateTail(ir: IrSpectra, k: number, dst: number): void {
    for (let p = 1; p < ir.partitions; p++) {
      this.fft.zconvolve(this.slot(p), ir.partition(k, p), dst, 1 / this.fftSize);
    }
  }

  /** Byte pointer to the FDL slot holding the spectrum of block (current - p). */
  private slot(p: number): number {
    return this.fdl + ((this.head - p + this.slots) % this.slots) * this.fftSize * 4;
  }
}
