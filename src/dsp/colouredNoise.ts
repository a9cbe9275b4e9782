import type { Rng } from '../random.ts';

/** Spectral colours of synthetic noise: white (flat), pink (−3 dB/octave), brown (−6 dB/octave). */
export type NoiseColour = 'white' | 'pink' | 'brown';
export const NOISE_COLOURS: readonly NoiseColour[] = ['white', 'pink', 'brown'];

/**
 * Seeded coloured noise, `lengthSamples` long, unit-ish RMS (callers normalise).
 * Pink uses Paul Kellet's refined 7-pole filter over white Gaussian noise
 * (musicdsp.org, "Filter to make pink noise from white", accurate to ±0.05 dB
 * above 9.2 Hz at 44.1 kHz); brown is leaky-integrated white noise
 * (pole at 0.995, i.e. −6 dB/octave above ~13 Hz at 16 kHz).
 *
 * @example
 * const n = colouredNoise('pink', 16000, createRng(1));
 */
export function colouredNoise(colour: NoiseColour, lengthSamples: number, rng: Rng): Float32Array {
  const out = new Float32Array(lengthSamples);
  if (colour === 'white') {
    for (let i = 0; i < lengthSamples; i++) out[i] = rng.normal();
  } else if (colour === 'pink') {
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
    for (let i = 0; i < lengthSamples; i++) {
      const w = rng.normal();
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.969 * b2 + w * 0.153852;
      b3 = 0.8665 * b3 + w * 0.3104856;
      b4 = 0.55 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.016898;
      out[i] = (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362) * 0.2;
      b6 = w * 0.115926;
    }
  } else {
    let y = 0;
    for (let i = 0; i < lengthSamples; i++) {
      y = 0.995 * y + rng.normal() * 0.1;
      out[i] = y;
    }
  }
  return out;
}
