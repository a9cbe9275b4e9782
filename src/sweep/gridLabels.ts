/**
 * The order and labels of grid values (SNRs, rooms, models, grid points) that
 * the report's figures and tables and the CSV share.
 */
import type { PointResult, Room, SweepResults } from './types.ts';

export type Snr = number | 'clean';

export function snrLabel(snr: Snr): string {
  return snr === 'clean' ? 'clean' : String(snr);
}

/** A room on an axis or in a table: "dry", an RT60 in s ("0.6"), or an IR's name. */
export function roomLabel(room: Room): string {
  return room === 0 ? 'dry' : String(room);
}

/** The title of a room axis: RT60 when every room is one, else rooms by name. */
export function roomAxisTitle(rooms: Room[]): string {
  return rooms.every((r) => typeof r === 'number') ? 'RT60 (s)' : 'room (RT60 s or IR)';
}

/** The spec's models first (in its order), then any others the results name. */
export function orderedModels(results: SweepResults): string[] {
  return [...new Set([...results.spec.models, ...results.clean.map((c) => c.model), ...results.points.map((p) => p.model)])];
}

/** Sort key of a grid point: model (spec order), SNR, room (RT60s, then IRs by name), azimuth, noise, noise sources. */
export function pointComparator(models: string[]): (a: PointResult, b: PointResult) => number {
  const rank = new Map(models.map((m, i) => [m, i]));
  return (a, b) =>
    (rank.get(a.model) ?? 0) - (rank.get(b.model) ?? 0) ||
    compareValues(a.snrDb, b.snrDb) ||
    compareValues(a.room, b.room) ||
    a.azimuthDeg - b.azimuthDeg ||
    a.noise.localeCompare(b.noise) ||
    a.noiseSources - b.noiseSources;
}

/** Numbers in order, then strings: SNRs then 'clean' (no added noise), RT60s then IR names. */
export function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a.localeCompare(b);
}
