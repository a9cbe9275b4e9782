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

/**
 * Samples [start, start + out.length) of {@link applyNoisePlacement}'s result, computed
 * alone (the same arithmetic, so the same float32 values) for a render that lays the noise
 * under a long clip block by block.
 */
export function noisePlacementBlock(noise: Float32Array, lengthSamples: number, placement: NoisePlacement, fadeSamples: number, start: number, out: Float32Array): void {
  const m = out.length;
  if (placement.mode === 'cut') {
    const fade = Math.min(fadeSamples, lengthSamples);
    const last = lengthSamples - 1;
    for (let k = 0; k < m; k++) {
      const j = start + k;
      out[k] = noise[placement.offsetSamples + j] ?? 0;
      // fadeOut(out, fade): sample last - i is multiplied by i / fade for i < fade.
      if (last - j < fade) out[k] *= (last - j) / fade;
    }
    return;
  }
  const len = noise.length;
  const fade = Math.min(fadeSamples, Math.floor(len / 2));
  for (let k = 0; k < m; k++) {
    const i = start + k - placement.offsetSamples;
    if (i < 0 || i >= len) {
      out[k] = 0;
      continue;
    }
    out[k] = noise[i];
    // fadeIn over the first `fade` samples, then fadeOut over the last `fade` (they never overlap).
    if (i < fade) out[k] *= i / fade;
    if (len - 1 - i < fade) out[k] *= (len - 1 - i) / fade;
  }
}
