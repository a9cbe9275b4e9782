import type LibSampleRate from '@alexanderolsen/libsamplerate-js';
import { Errors } from '../errors.ts';

/** libsamplerate converter quality: best = SRC_SINC_BEST_QUALITY (banks, offline), medium, fastest (live paths). */
export type ResampleQuality = 'best' | 'medium' | 'fastest';

export const RESAMPLE_QUALITIES: readonly ResampleQuality[] = ['best', 'medium', 'fastest'];

/** A mono libsamplerate converter (its `simple` and `full` APIs); `destroy()` frees its wasm memory. */
export type Converter = Awaited<ReturnType<typeof LibSampleRate.create>>;

/** The sample rates libsamplerate-js converts between: 1..192000 Hz. */
export const MAX_RESAMPLE_RATE_HZ = 192_000;

/** INVALID_OPTION naming `name` unless `rate` is an integer the converter takes (1..192000 Hz). */
export function checkResampleRate(name: string, rate: number): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RESAMPLE_RATE_HZ) {
    throw new Errors.INVALID_OPTION(`${name} must be an integer sample rate in 1..${MAX_RESAMPLE_RATE_HZ} Hz, got ${rate}`);
  }
}

const CONVERTER_NAME = { best: 'SRC_SINC_BEST_QUALITY', medium: 'SRC_SINC_MEDIUM_QUALITY', fastest: 'SRC_SINC_FASTEST' } as const;

/**
 * A mono converter from `fromRateHz` to `toRateHz`. libsamplerate's wasm is
 * imported on the first call, not at start-up: it takes a few hundred
 * milliseconds, which commands that never resample should not pay.
 */
export async function createConverter(fromRateHz: number, toRateHz: number, quality: ResampleQuality): Promise<Converter> {
  const mod = await import('@alexanderolsen/libsamplerate-js');
  // Node hands the UMD bundle's exports over as `default`; tsx (the tests) as the namespace itself.
  const lsr = (mod.default ?? mod) as typeof LibSampleRate;
  return lsr.create(1, fromRateHz, toRateHz, { converterType: lsr.ConverterType[CONVERTER_NAME[quality]] });
}
