import type { AudioData } from './types.ts';
import { checkResampleRate, createConverter, type ResampleQuality } from './libsamplerate.ts';

export type { ResampleQuality };

/**
 * Resample planar channels with libsamplerate (wasm). Returns the input arrays
 * untouched when the rates match. The output length is round(n * to / from).
 *
 * @example
 * const [y] = await resampleChannels([x], 48000, 16000, 'best');
 */
export async function resampleChannels(
  channels: Float32Array[],
  fromRateHz: number,
  toRateHz: number,
  quality: ResampleQuality = 'best',
): Promise<Float32Array[]> {
  checkResampleRate('fromRateHz', fromRateHz);
  checkResampleRate('toRateHz', toRateHz);
  if (fromRateHz === toRateHz) return channels;
  const out: Float32Array[] = [];
  for (const x of channels) {
    const src = await createConverter(fromRateHz, toRateHz, quality);
    try {
      out.push(fixLength(src.simple(x), Math.round((x.length * toRateHz) / fromRateHz)));
    } finally {
      src.destroy();
    }
  }
  return out;
}

/** Resample decoded audio to `toRateHz`. */
export async function resample(audio: AudioData, toRateHz: number, quality: ResampleQuality = 'best'): Promise<AudioData> {
  return { sampleRateHz: toRateHz, channels: await resampleChannels(audio.channels, audio.sampleRateHz, toRateHz, quality) };
}

// libsamplerate's simple API can come back a sample short or long; callers rely on the exact length.
function fixLength(y: Float32Array, n: number): Float32Array {
  if (y.length === n) return y;
  const out = new Float32Array(n);
  out.set(y.subarray(0, Math.min(n, y.length)));
  return out;
}
