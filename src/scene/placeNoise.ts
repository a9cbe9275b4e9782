import type { Rng } from '../random.ts';
import { fadeIn, fadeOut } from '../dsp/fade.ts';

/** How a noise recording was laid under a clip (recorded with the render). */
export interface NoisePlacement {
  /** 'cut': the recording was longer and a window of it was taken; 'placed': shorter, laid at an offset, zeros elsewhere. */
  mode: 'cut' | 'placed';
  /** 'cut': start of the window within the recording; 'placed': where the recording starts within the clip. Samples. */
  offsetSamples: number;
}

/**
 * Draw where a noise recording goes under a clip of `lengthSamples` (the Nat-HEAR recipe):
 * a longer recording is cut at a random start; a shorter one starts at a random offset.
 */
export function sampleNoisePlacement(noiseLength: number, lengthSamples: number, rng: Rng): NoisePlacement {
  if (noiseLength >= lengthSamples) return { mode: 'cut', offsetSamples: rng.int(0, noiseLength - lengthSamples) };
  return { mode: 'placed', offsetSamples: rng.int(0, lengthSamples - noiseLength) };
}

/**
 * Lay the recording under the clip per `placement`: 'cut' takes the window and
 * fades its last `fadeSamples` out linearly; 'placed' fades the whole recording
 * in and out over `fadeSamples` (each at most half its length) and leaves zeros
 * around it. The recording is not modified.
 */
export function applyNoisePlacement(noise: Float32Array, lengthSamples: number, placement: NoisePlacement, fadeSamples: number): Float32Array {
  const out = new Float32Array(lengthSamples);
  if (placement.mode === 'cut') {
    out.set(noise.subarray(placement.offsetSamples, placement.offsetSamples + lengthSamples));
    fadeOut(out, Math.min(fadeSamples, lengthSamples));
  } else {
    const part = out.subarray(placement.offsetSamples, placement.offsetSamples + noise.length);
    part.set(noise);
    const fade = Math.min(fadeSamples, Math.floor(noise.length / 2));
    fadeOut(fadeIn(part, fade), fade);
  }
  return out;
}
