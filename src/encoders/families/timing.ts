/**
 * Where a model's output frames sit in time. A frame of a conv stack
 * without padding sees `receptiveField` consecutive samples and the next
 * frame starts `hop` samples later; its timestamp is the centre of what it
 * sees. wav2vec 2.0's feature encoder (kernels 10,3,3,3,3,2,2, strides
 * 5,2,2,2,2,2,2; Baevski et al. 2020, and HuBERT, WavLM, data2vec) gives
 * frame t the samples [320t, 320t + 400): 25 ms every 20 ms, centred at
 * 12.5 ms + 20 ms · t at 16 kHz.
 */

/** One conv layer: kernel size and stride, in input steps. */
export interface ConvLayer {
  kernel: number;
  stride: number;
}

/** wav2vec 2.0's feature encoder (fairseq `conv_feature_layers`, transformers' conv_kernel / conv_stride). */
export const WAV2VEC2_CONV_STACK: readonly ConvLayer[] = Object.freeze(
  [10, 3, 3, 3, 3, 2, 2].map((kernel, i) => ({ kernel, stride: i === 0 ? 5 : 2 })),
);

/** Receptive field and hop of an unpadded conv stack, in input samples. */
export interface ConvStackTiming {
  receptiveFieldSamples: number;
  hopSamples: number;
}

/**
 * The receptive field (1 + Σ (k_i − 1) · Π_{j<i} s_j) and hop (Π s_i) of a
 * stack of unpadded convolutions.
 *
 * @example convStackTiming(WAV2VEC2_CONV_STACK) // { receptiveFieldSamples: 400, hopSamples: 320 }
 */
export function convStackTiming(layers: readonly ConvLayer[]): ConvStackTiming {
  let rf = 1;
  let jump = 1;
  for (const { kernel, stride } of layers) {
    rf += (kernel - 1) * jump;
    jump *= stride;
  }
  return { receptiveFieldSamples: rf, hopSamples: jump };
}

/** Frames an unpadded conv stack yields for `numSamples` input samples (layer by layer, ⌊(n − k) / s⌋ + 1). */
export function convStackFrames(layers: readonly ConvLayer[], numSamples: number): number {
  let n = numSamples;
  for (const { kernel, stride } of layers) n = n < kernel ? 0 : Math.floor((n - kernel) / stride) + 1;
  return n;
}

/** Frame t of a window is centred at `firstCentreS + t · hopS` seconds from the window's start. */
export interface FrameTiming {
  firstCentreS: number;
  hopS: number;
}
