import type { Rng } from '../random.ts';
import { Errors } from '../errors.ts';
import type { Placement } from './room/types.ts';

/**
 * Draw `count` noise-source positions around the receiver, each at least
 * `minSeparationDeg` of azimuth away from the talker and from each other (so
 * the sources are distinct), at 1 m or more, inside the room. `maxDistanceM(az, el)`
 * is how far the room lets a source go in that direction.
 */
export function sampleNoisePositions(
  count: number,
  talker: Placement,
  maxDistanceM: (azimuthDeg: number, elevationDeg: number) => number,
  rng: Rng,
): Placement[] {
  const minSeparationDeg = Math.min(30, 180 / (count + 1));
  const out: Placement[] = [];
  for (let attempt = 0; out.length < count; attempt++) {
    // Fixed number of draws per attempt keeps the stream deterministic whatever is rejected.
    const azimuthDeg = round(rng.float() * 360 - 180);
    const elevationDeg = round(rng.float() * 40 - 10);
    const u = rng.float();
    const clash = [talker, ...out].some((p) => angleBetween(p.azimuthDeg, azimuthDeg) < minSeparationDeg);
    const room = Math.min(maxDistanceM(azimuthDeg, elevationDeg) - 0.25, 6);
    if (attempt > 10_000) {
      throw new Errors.INVALID_CONDITION(`cannot place ${count} distinct noise sources at 1 m or more inside this room; use a larger room or fewer noise sources`);
    }
    if (clash || room < 1) continue;
    out.push({ azimuthDeg, elevationDeg, distanceM: round(1 + u * Math.max(0, room - 1)) });
  }
  return out;
}

function angleBetween(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
