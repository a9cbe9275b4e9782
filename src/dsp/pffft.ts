/**
 * The FFT behind earshot's convolution: PFFFT (Julien Pommier's "pretty fast
 * FFT", BSD) compiled to WebAssembly with 128-bit SIMD, from
 * `@echogarden/pffft-wasm`. Measured here against fft.js on one core: a
 * 16384-point real forward transform takes 25 us (fft.js `realTransform`:
 * 331 us), and PFFFT's spectral multiply-accumulate runs at 0.4 ns per bin,
 * which is what makes the partitioned convolver competitive with ffmpeg.
 *
 * The module is instantiated once, at import (top-level await). Buffers live
 * in the wasm heap and are owned by a {@link WasmArena}: free it with
 * `dispose()`; a FinalizationRegistry frees it if the owner is collected first.
 *
 * Spectra are in PFFFT's internal "z-domain" order (unordered transform),
 * which is all a convolution needs: multiply-accumulate with
 * `zconvolve`, then transform back. Where the bins must be read or written
 * one by one, `forwardOrdered` / `backwardOrdered` (or `reorder`) use the
 * ordered layout instead: [X(0), X(N/2), Re X(1), Im X(1), Re X(2), ...]
 * with X(k) = Σ x(n)·e^(−2πjkn/N). Transforms are unscaled:
 * backward(forward(x)) = N * x.
 */
import createSimd from '@echogarden/pffft-wasm/simd';
import createScalar from '@echogarden/pffft-wasm';

async function instantiate(): Promise<PffftWasmModule> {
  try {
    return await createSimd();
  } catch {
    // Runtimes without wasm SIMD (Node >= 16.4 has it): the scalar build.
    return createScalar();
  }
}

const wasm = await instantiate();

/** PFFFT transform kinds and directions (pffft.h). */
const PFFFT_REAL = 0;
const PFFFT_FORWARD = 0;
const PFFFT_BACKWARD = 1;

/** The live float view of the wasm heap (re-read after any allocation: growth replaces it). */
export function heapF32(): Float32Array {
  return wasm.HEAPF32;
}

/**
 * A set of wasm-heap allocations freed together. Each `floats(n)` returns a
 * zeroed, 64-byte aligned buffer as a byte pointer; `index(ptr)` converts it
 * to an index into {@link heapF32}.
 */
export class WasmArena {
  private readonly ptrs: number[] = [];
  private readonly setups: number[] = [];

  constructor(owner: object) {
    registry.register(owner, { ptrs: this.ptrs, setups: this.setups }, this);
  }

  /** Allocate `n` zeroed float32s; returns a byte pointer. */
  floats(n: number): number {
    const ptr = wasm._pffft_aligned_malloc(n * 4);
    if (ptr === 0) throw new RangeError(`wasm heap exhausted allocating ${n} floats`);
    this.ptrs.push(ptr);
    wasm.HEAPF32.fill(0, ptr >> 2, (ptr >> 2) + n);
    return ptr;
  }

  /** A real-FFT setup of size `n` (a multiple of 32), freed with the arena. */
  realFft(n: number): RealFft {
    const setup = wasm._pffft_new_setup(n, PFFFT_REAL);
    if (setup === 0) throw new RangeError(`PFFFT cannot do a real FFT of size ${n}`);
    this.setups.push(setup);
    return new RealFft(setup, n, this.floats(n));
  }

  /** Free one buffer early (it must come from this arena). */
  free(ptr: number): void {
    const i = this.ptrs.indexOf(ptr);
    if (i < 0) return;
    this.ptrs.splice(i, 1);
    wasm._pffft_aligned_free(ptr);
  }

  /** Free everything; the arena may not be used afterwards. */
  dispose(): void {
    freeAll({ ptrs: this.ptrs, setups: this.setups });
    registry.unregister(this);
  }
}

interface Held { ptrs: number[]; setups: number[] }

function freeAll(held: Held): void {
  for (const p of held.ptrs) wasm._pffft_aligned_free(p);
  for (const s of held.setups) wasm._pffft_destroy_setup(s);
  held.ptrs.length = 0;
  held.setups.length = 0;
}

const registry = new FinalizationRegistry<Held>(freeAll);

/** A real FFT of one size over wasm-heap buffers (byte pointers). */
export class RealFft {
  constructor(private readonly setup: number, readonly size: number, private readonly work: number) {}

  /** Unordered forward transform: `size` reals at `input` -> z-domain spectrum at `output`. */
  forward(input: number, output: number): void {
    wasm._pffft_transform(this.setup, input, output, this.work, PFFFT_FORWARD);
  }

  /** Unscaled backward transform of a z-domain spectrum (multiply by 1/size yourself). */
  backward(input: number, output: number): void {
    wasm._pffft_transform(this.setup, input, output, this.work, PFFFT_BACKWARD);
  }

  /** Forward transform with the bins in order: X(0), X(N/2), then Re, Im of X(1) .. X(N/2 − 1). */
  forwardOrdered(input: number, output: number): void {
    wasm._pffft_transform_ordered(this.setup, input, output, this.work, PFFFT_FORWARD);
  }

  /** Unscaled backward transform of an ordered spectrum (the layout of `forwardOrdered`). */
  backwardOrdered(input: number, output: number): void {
    wasm._pffft_transform_ordered(this.setup, input, output, this.work, PFFFT_BACKWARD);
  }

  /**
   * Convert between z-domain and ordered spectra (a permutation of the floats):
   * 'toOrdered' after `forward`, 'toZ' before `backward` or `zconvolve`. `input` and `output` must differ.
   */
  reorder(input: number, output: number, to: 'toOrdered' | 'toZ'): void {
    wasm._pffft_zreorder(this.setup, input, output, to === 'toOrdered' ? PFFFT_FORWARD : PFFFT_BACKWARD);
  }

  /** `ab += a * b * scaling`, bin by bin, over z-domain spectra. */
  zconvolve(a: number, b: number, ab: number, scaling: number): void {
    wasm._pffft_zconvolve_accumulate(this.setup, a, b, ab, scaling);
  }
}
