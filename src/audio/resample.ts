import type { AudioData } from './types.ts';
import { Errors } from '../errors.ts';

/** libsamplerate converter quality: best = SRC_SINC_BEST_QUALITY (banks, offline), medium, fastest (live paths). */
export type ResampleQuality = 'best' | 'medium' | 'fastest';

type LibSampleRate = Pick<typeof import('@alexanderolsen/libsamplerate-js'), 'create' | 'ConverterType'>;
type ConverterTypeValue = LibSampleRate['ConverterType'][keyof LibSampleRate['ConverterType']];

/** libsamplerate's ConverterType values by quality (SRC_SINC_BEST_QUALITY, _MEDIUM_QUALITY, SRC_SINC_FASTEST). */
export const CONVERTER: Readonly<Record<ResampleQuality, ConverterTypeValue>> = Object.freeze({ best: 0, medium: 1, fastest: 2 });

let libsamplerate: Promise<LibSampleRate> | undefined;

/**
 * libsamplerate-js, imported on first use: compiling its wasm costs about 0.1 s and 16 MB,
 * which audio already at the right rate never needs.
 */
export function loadLibSampleRate(): Promise<LibSampleRate> {
  // The package's types name its functions as exports; at run time they sit on its default export.
  return (libsamplerate ??= import('@alexanderolsen/libsamplerate-js').then((m) => ((m as { default?: LibSampleRate }).default ?? m)));
}

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
  for (const [name, rate] of [['fromRateHz', fromRateHz], ['toRateHz', toRateHz]] as const) {
    if (!Number.isInteger(rate) || rate < 1 || rate > 768_000) {
      throw new Errors.INVALID_OPTION(`${name} must be an integer sample rate in 1..768000 Hz, got ${rate}`);
    }
  }
  if (fromRateHz === toRateHz) return channels;
  const out: Float32Array[] = [];
  for (const x of channels) {
    const src = await (await loadLibSampleRate()).create(1, fromRateHz, toRateHz, { converterType: CONVERTER[quality] });
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
