import { Errors } from '../../errors.ts';
import type { Placement, RoomSpec } from './types.ts';

/** Speed of sound used throughout the simulator, m/s (air at about 20 °C). */
export const SPEED_OF_SOUND_MS = 343;
/** Default ear height of the receiver, metres (mid-height in rooms lower than 2 m). */
export const EAR_HEIGHT_M = 1.5;

type Vec3 = [number, number, number];

/**
 * The unit vector of a direction: (cos el·cos az, cos el·sin az, sin el), azimuth
 * counterclockwise from +x (front), so +90° is +y (left). Degrees in, metres-free out.
 *
 * @example
 * directionVector(90, 0); // ≈ [0, 1, 0] (left)
 */
export function directionVector(azimuthDeg: number, elevationDeg: number): Vec3 {
  const az = (azimuthDeg * Math.PI) / 180;
  const el = (elevationDeg * Math.PI) / 180;
  return [Math.cos(el) * Math.cos(az), Math.cos(el) * Math.sin(az), Math.sin(el)];
}

/** The source position in the room: the receiver position plus `distanceM` along the placement's direction. */
export function sourcePosition(receiverM: Vec3, source: Placement): Vec3 {
  const u = directionVector(source.azimuthDeg, source.elevationDeg);
  return [receiverM[0] + source.distanceM * u[0], receiverM[1] + source.distanceM * u[1], receiverM[2] + source.distanceM * u[2]];
}

/**
 * Where the receiver stands when the caller does not say: slightly off the
 * room's centre in plan (47 % of x, 53 % of y, so images do not pile up
 * symmetrically), at ear height 1.5 m, or mid-height in rooms lower than 2 m.
 *
 * @example
 * defaultReceiverPosition({ dimensionsM: [5, 4, 3], rt60S: 0.5 }); // [2.35, 2.12, 1.5]
 */
export function defaultReceiverPosition(room: RoomSpec): Vec3 {
  const [x, y, z] = room.dimensionsM;
  return [0.47 * x, 0.53 * y, z >= 2 ? Math.min(EAR_HEIGHT_M, z / 2 + 0.5) : z / 2];
}

/**
 * How far a source may sit from the receiver in a direction before it leaves the room, metres
 * (the distance to the first wall along that ray). Useful for drawing source positions.
 * The receiver defaults to `defaultReceiverPosition(room)`, as in `simulateRir`.
 *
 * @example
 * maxSourceDistanceM({ dimensionsM: [5, 4, 3], rt60S: 0.5 }, 90, 0, [2.5, 2, 1.5]); // 2
 */
export function maxSourceDistanceM(
  room: RoomSpec,
  azimuthDeg: number,
  elevationDeg: number,
  receiverM: Vec3 = defaultReceiverPosition(room),
): number {
  const u = directionVector(azimuthDeg, elevationDeg);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    if (Math.abs(u[i]) < 1e-12) continue;
    const wall = u[i] > 0 ? room.dimensionsM[i] : 0;
    best = Math.min(best, (wall - receiverM[i]) / u[i]);
  }
  return Math.max(0, best);
}

/** True when `p` lies strictly inside the room. */
export function insideRoom(room: RoomSpec, p: readonly number[]): boolean {
  return p.every((v, i) => v > 0 && v < room.dimensionsM[i]);
}

/**
 * Check a placement's numbers and that the source falls inside the room (any
 * distance goes in free field, `room` null); throws `INVALID_OPTION` naming the
 * field and how to fix it.
 */
export function validatePlacement(room: RoomSpec | null, receiverM: Vec3, source: Placement): void {
  const { azimuthDeg: az, elevationDeg: el, distanceM: d } = source;
  if (!Number.isFinite(az) || az < -180 || az > 180) {
    throw new Errors.INVALID_OPTION(`source.azimuthDeg must be in -180..180 degrees (0 = front, +90 = left), got ${az}`);
  }
  if (!Number.isFinite(el) || el < -90 || el > 90) {
    throw new Errors.INVALID_OPTION(`source.elevationDeg must be in -90..90 degrees, got ${el}`);
  }
  if (!Number.isFinite(d) || d < 0.01) {
    throw new Errors.INVALID_OPTION(`source.distanceM must be at least 0.01 m, got ${d}`);
  }
  if (room && !insideRoom(room, sourcePosition(receiverM, source))) {
    const [x, y, z] = room.dimensionsM.map(fmt);
    throw new Errors.INVALID_OPTION(
      `source at distance ${fmt(d)} m, azimuth ${fmt(az)}°, elevation ${fmt(el)}° from the receiver at ` +
        `[${receiverM.map(fmt).join(', ')}] m lies outside the ${x}×${y}×${z} m room ` +
        `(at most ${fmt(maxSourceDistanceM(room, az, el, receiverM))} m fits in that direction); reduce source.distanceM or enlarge room.dimensionsM`,
    );
  }
}

/** A number for a message: at most 2 decimals. */
export function fmt(v: number): string {
  return String(Math.round(v * 100) / 100);
}
