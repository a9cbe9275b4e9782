import { Errors } from '../../errors.ts';

/** Sabine's constant 24·ln(10)/c in s/m at c = 343 m/s (rounded as usual to 0.161). */
export const SABINE_CONSTANT = 0.161;

/** The absorption that gives a shoebox room its target RT60 (see `inverseSabine`). */
export interface SabineAbsorption {
  /** Uniform absorption coefficient α of every wall, 0 < α < 1. */
  absorption: number;
  /** Pressure reflection coefficient β = sqrt(1 − α). */
  reflection: number;
  volumeM3: number;
  surfaceM2: number;
  /** The shortest RT60 this room can reach (α → 1): 0.161·V/S. */
  minRt60S: number;
}

/**
 * Inverse Sabine: the uniform wall absorption that gives a shoebox of
 * `dimensionsM` the reverberation time `rt60S`, from Sabine's formula
 * RT60 = 0.161·V / (S·α) (W. C. Sabine, "Collected Papers on Acoustics", 1922),
 * so α = 0.161·V / (S·RT60), and the reflection coefficient β = sqrt(1 − α).
 *
 * Throws `UNREACHABLE_RT60` when `rt60S` ≤ 0 or when α would be ≥ 1 (the room
 * is too small to ring that briefly); the message gives the shortest RT60
 * the room can reach and suggests a smaller room.
 *
 * @example
 * inverseSabine([6, 4.5, 3], 0.8).absorption; // ≈ 0.139
 */
export function inverseSabine(dimensionsM: readonly [number, number, number], rt60S: number): SabineAbsorption {
  const [x, y, z] = dimensionsM;
  for (const [i, v] of dimensionsM.entries()) {
    if (!Number.isFinite(v) || v <= 0) {
      throw new Errors.INVALID_OPTION(`room.dimensionsM[${i}] must be a positive number of metres, got ${v}`);
    }
  }
  if (!Number.isFinite(rt60S) || rt60S <= 0) {
    throw new Errors.UNREACHABLE_RT60(`room.rt60S must be a positive number of seconds, got ${rt60S}`);
  }
  const volumeM3 = x * y * z;
  const surfaceM2 = 2 * (x * y + x * z + y * z);
  const minRt60S = (SABINE_CONSTANT * volumeM3) / surfaceM2;
  const absorption = minRt60S / rt60S;
  if (absorption >= 1) {
    throw new Errors.UNREACHABLE_RT60(
      `room.rt60S ${rt60S} s is too short for a ${fmt(x)}×${fmt(y)}×${fmt(z)} m room: even fully absorbing walls ` +
        `give ${fmt(minRt60S)} s (Sabine). Use a smaller room, or omit room.dimensionsM to get one that suits the RT60.`,
    );
  }
  return { absorption, reflection: Math.sqrt(1 - absorption), volumeM3, surfaceM2, minRt60S };
}

/** Shoebox proportions x : y : z of the default room (close to the "golden" 1.9 : 1.4 : 1 ratios). */
export const DEFAULT_ROOM_RATIOS: readonly [number, number, number] = [1.9, 1.4, 1];
/** Absorption the default room aims for, the band it normally stays in, and the most it will go to for very short RT60s. */
export const DEFAULT_ROOM_ABSORPTION = { target: 0.15, min: 0.05, max: 0.8, hardMax: 0.9 } as const;
/** Ceiling height limits of the default room, metres (`tinyMin` only for very short RT60s; ear height 1.5 m still fits). */
export const DEFAULT_ROOM_HEIGHT_M = { min: 3, max: 15, tinyMin: 2 } as const;

/**
 * Dimensions of a room for a bare `--rt60 S`: a 1.9 : 1.4 : 1 shoebox scaled so the uniform
 * absorption is about 0.15 (a furnished room), its height kept in 3..15 m.
 * Short RT60s raise α up to 0.8 (and then shrink the height to 2 m, α up to 0.9);
 * long ones lower α to no less than 0.05 (and grow the room).
 * up to 0.7 s give 5.69 × 4.19 × 3 m; 0.8 s 6.34 × 4.67 × 3.34 m; 1.2 s 9.51 × 7.01 × 5.01 m.
 * Throws `UNREACHABLE_RT60` below ≈ 0.08 s.
 *
 * @example
 * const room = { dimensionsM: defaultRoomFor(0.8), rt60S: 0.8 }; // [6.34, 4.67, 3.34] m
 */
export function defaultRoomFor(rt60S: number): [number, number, number] {
  if (!Number.isFinite(rt60S) || rt60S <= 0) {
    throw new Errors.UNREACHABLE_RT60(`room.rt60S must be a positive number of seconds, got ${rt60S}`);
  }
  const [rx, ry, rz] = DEFAULT_ROOM_RATIOS;
  // α = 0.161·V/(S·T), and V/S is proportional to the height h: α = k·h/T.
  const k = (SABINE_CONSTANT * rx * ry * rz) / (2 * (rx * ry + rx * rz + ry * rz));
  const A = DEFAULT_ROOM_ABSORPTION;
  const H = DEFAULT_ROOM_HEIGHT_M;
  let h = Math.min(H.max, Math.max(H.min, (A.target * rt60S) / k));
  if ((k * h) / rt60S < A.min) h = (A.min * rt60S) / k;
  if ((k * h) / rt60S > A.max) h = Math.max(H.tinyMin, (A.max * rt60S) / k);
  if ((k * h) / rt60S > A.hardMax) {
    throw new Errors.UNREACHABLE_RT60(
      `room.rt60S ${rt60S} s is shorter than the default rooms reach (${fmt((k * H.tinyMin) / A.hardMax)} s); ` +
        'give explicit room.dimensionsM for a smaller room',
    );
  }
  // Round down to centimetres: the rounded room keeps α within the band.
  const cm = (v: number): number => Math.floor(v * 100) / 100;
  return [cm(rx * h), cm(ry * h), cm(rz * h)];
}

function fmt(v: number): string {
  return String(Math.round(v * 100) / 100);
}
