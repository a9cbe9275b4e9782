/**
 * Linear fades, in place (the Nat-HEAR recipe fades noise over 200 ms; the
 * caller converts milliseconds to samples).
 */
import { Errors } from '../errors.ts';

function checkSamples(samples: number): void {
  if (!Number.isInteger(samples) || samples < 0) {
    throw new Errors.INVALID_OPTION(`fade samples must be an integer >= 0, got ${samples}`);
  }
}

/**
 * Linear fade-in over the first `samples` samples, in place: sample i is
 * multiplied by i / samples (0 at the first sample, reaching 1 right after
 * the ramp). A ramp longer than `x` is cut to it (so a short `x` ends below
 * full gain); 0 does nothing. Returns `x`.
 *
 * @example fadeIn(noise, Math.round(0.2 * sampleRateHz)); // 200 ms
 */
export function fadeIn(x: Float32Array, samples: number): Float32Array {
  checkSamples(samples);
  const n = Math.min(samples, x.length);
  for (let i = 0; i < n; i++) x[i] *= i / samples;
  return x;
}

/**
 * Linear fade-out over the last `samples` samples, in place, the mirror of
 * {@link fadeIn}: the last sample is multiplied by 0, sample length-1-i by
 * i / samples. A ramp longer than `x` is cut to it; 0 does nothing.
 * Returns `x`.
 */
export function fadeOut(x: Float32Array, samples: number): Float32Array {
  checkSamples(samples);
  const n = Math.min(samples, x.length);
  const last = x.length - 1;
  for (let i = 0; i < n; i++) x[last - i] *= i / samples;
  return x;
}

/** {@link fadeIn} applied to every channel, in place; returns `channels`. */
export function fadeInChannels(channels: Float32Array[], samples: number): Float32Array[] {
  for (const ch of channels) fadeIn(ch, samples);
  return channels;
}

/** {@link fadeOut} applied to every channel, in place; returns `channels`. */
export function fadeOutChannels(channels: Float32Array[], samples: number): Float32Array[] {
  for (const ch of channels) fadeOut(ch, samples);
  return channels;
}
