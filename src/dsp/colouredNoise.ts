import type { Rng } from '../random.ts';

/** Spectral colours of synthetic noise: white (flat), pink (−3 dB/octave), brown (−6 dB/octave). */
export type NoiseColour = 'white' | 'pink' | 'brown';
export const NOISE_COLOURS: readonly NoiseColour[] = ['white', 'pink', 'brown'];

/**
 * Coloured noise whose filter state carries across calls, so a live stream
 * can draw it chunk by chunk: `fill` continues exactly where the last call
 * stopped, and chunking never changes the samples. White is Gaussian; pink
 * uses Paul Kellet's refined 7-pole filter over white Gaussian noise
 * (musicdsp.org, "Filter to make pink noise from white", accurate to ±0.05 dB
 * above 9.2 Hz at 44.1 kHz); brown is leaky-integrated white noise (pole at
 * 0.995, i.e. −6 dB/octave above ~13 Hz at 16 kHz). Unit-ish RMS: callers
 * normalise. One normal draw per sample, in order.
 */
export class ColouredNoiseStream {
  private readonly b = new Float64Array(7);

  constructor(readonly colour: NoiseColour, private readonly rng: Rng) {}

  /** Write the next `n` samples into out[0..n). */
  fill(out: Float32Array, n = out.length): Float32Array {
    const b = this.b;
    for (let i = 0; i < n; i++) {
      const w = this.rng.normal();
      if (this.colour === 'white') out[i] = w;
      else if (this.colour === 'brown') out[i] = b[0] = 0.995 * b[0] + w * 0.1;
      else {
        b[0] = 0.99886 * b[0] + w * 0.0555179;
        b[1] = 0.99332 * b[1] + w * 0.0750759;
        b[2] = 0.969 * b[2] + w * 0.153852;
        b[3] = 0.8665 * b[3] + w * 0.3104856;
        b[4] = 0.55 * b[4] + w * 0.5329522;
        b[5] = -0.7616 * b[5] - w * 0.016898;
        out[i] = (b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + w * 0.5362) * 0.2;
        b[6] = w * 0.115926;
      }
    }
    return out;
  }
}

/**
 * Seeded coloured noise, `lengthSamples` long (see {@link ColouredNoiseStream}).
 *
 * @example
 * const n = colouredNoise('pink', 16000, createRng(1));
 */
export function colouredNoise(colour: NoiseColour, lengthSamples: number, rng: Rng): Float32Array {
  return new ColouredNoiseStream(colour, rng).fill(new Float32Array(lengthSamples));
}
