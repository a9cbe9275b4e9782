/**
 * Minimal typings for @echogarden/pffft-wasm, an Emscripten build of PFFFT
 * (https://bitbucket.org/jpommier/pffft) that ships no .d.ts. Only what
 * src/dsp/pffft.ts uses. Pointers are byte offsets into the wasm heap.
 */
interface PffftWasmModule {
  HEAPF32: Float32Array;
  _pffft_new_setup(n: number, transform: number): number;
  _pffft_destroy_setup(setup: number): void;
  _pffft_transform(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_zreorder(setup: number, input: number, output: number, direction: number): void;
  _pffft_zconvolve_accumulate(setup: number, a: number, b: number, ab: number, scaling: number): void;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_aligned_free(ptr: number): void;
  _pffft_simd_size(): number;
}

declare module '@echogarden/pffft-wasm/simd' {
  const factory: () => Promise<PffftWasmModule>;
  export default factory;
}

declare module '@echogarden/pffft-wasm' {
  const factory: () => Promise<PffftWasmModule>;
  export default factory;
}
