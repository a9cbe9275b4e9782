import { Errors } from '../../errors.ts';
import { defaultReceiverPosition, fmt, insideRoom, SPEED_OF_SOUND_MS, validatePlacement } from './geometry.ts';
import { roomBands, type RoomBands } from './absorption.ts';
import type { SimulateOptions } from './types.ts';

type Vec3 = [number, number, number];

/** Most samples per channel `simulateRir` renders (about 87 s at 48 kHz): the late tail is one FFT of the whole length. */
export const MAX_LENGTH_SAMPLES = 1 << 22;
/** Longest IR `simulateRir` renders by default, seconds. */
export const MAX_DEFAULT_LENGTH_S = 2.5;

/**
 * Default IR length in a room: min(1.2·RT60 + 0.1, 2.5) s, long enough for the decay
 * to pass −60 dB (so RT60 can be measured on it) except for RT60s over about 2 s.
 *
 * @example
 * defaultRirLengthS(0.5); // 0.7
 */
export function defaultRirLengthS(rt60S: number): number {
  return Math.min(1.2 * rt60S + 0.1, MAX_DEFAULT_LENGTH_S);
}

/** Options checked and completed with their defaults. */
export interface ResolvedOptions {
  /** Wall and air absorption per octave band (scaled to the target RT60); null in free field. */
  bands: RoomBands | null;
  /** Receiver centre, metres (the origin in free field). */
  centreM: Vec3;
  lengthSamples: number;
}

/**
 * Check `simulateRir`'s options (throwing `INVALID_OPTION` naming the field, or
 * `UNREACHABLE_RT60`) and fill in the defaults.
 */
export function resolveOptions(opts: SimulateOptions): ResolvedOptions {
  const { room, source, sampleRateHz: fs, seed } = opts;
  if (room !== null && (typeof room !== 'object' || !Array.isArray(room.dimensionsM) || room.dimensionsM.length !== 3)) {
    throw new Errors.INVALID_OPTION(`room.dimensionsM must be [x, y, z] in metres, got ${JSON.stringify(room?.dimensionsM)}`);
  }
  if (!Number.isInteger(fs) || fs < 1000 || fs > 384_000) {
    throw new Errors.INVALID_OPTION(`sampleRateHz must be an integer in 1000..384000 Hz, got ${fs}`);
  }
  const bands = room ? roomBands(room, fs) : null;
  if (!Number.isInteger(seed)) throw new Errors.INVALID_OPTION(`seed must be an integer, got ${seed}`);
  if (typeof source !== 'object' || source === null) throw new Errors.INVALID_OPTION('source must be { azimuthDeg, elevationDeg, distanceM }');
  let centreM: Vec3 = [0, 0, 0];
  if (room) {
    const given = opts.receiverPositionM;
    centreM = given ? [given[0], given[1], given[2]] : defaultReceiverPosition(room);
    if ((given && given.length !== 3) || !centreM.every(Number.isFinite) || !insideRoom(room, centreM)) {
      throw new Errors.INVALID_OPTION(
        `receiverPositionM ${JSON.stringify(given)} must be [x, y, z] inside the ${room.dimensionsM.map(fmt).join('×')} m room`,
      );
    }
  }
  validatePlacement(room, centreM, source);
  // The slowest band sets the default length, so every band decays far enough to be measured.
  const lengthS = opts.lengthS ?? (bands ? defaultRirLengthS(Math.max(...bands.rt60S)) : source.distanceM / SPEED_OF_SOUND_MS + 0.03);
  if (!Number.isFinite(lengthS) || lengthS <= 0 || lengthS > 30) {
    throw new Errors.INVALID_OPTION(`lengthS must be in (0, 30] seconds, got ${lengthS}`);
  }
  const lengthSamples = Math.max(1, Math.round(lengthS * fs));
  if (lengthSamples > MAX_LENGTH_SAMPLES) {
    throw new Errors.INVALID_OPTION(`lengthS ${lengthS} s at ${fs} Hz is ${lengthSamples} samples; at most ${MAX_LENGTH_SAMPLES} are rendered (shorten lengthS)`);
  }
  return { bands, centreM, lengthSamples };
}
