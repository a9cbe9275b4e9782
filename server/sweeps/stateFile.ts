import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellSummary, GridPoint, SweepResults } from '../../src/sweep/types.ts';
import { writeAtomically } from '../../src/writeAtomically.ts';
import type { CleanScore, PublicResults, SweepRequest, SweepStatus } from './schemas.ts';

/**
 * What the server keeps about a sweep besides the engine's own files
 * (cells.jsonl, results.json, report.html): the request as the client sent
 * it, the status, and the cell summaries for progress displays. Written to
 * `serve-state.json` in the sweep's folder on every change (atomically), so a
 * restarted server still lists the sweep.
 */
export interface SweepState {
  id: string;
  status: SweepStatus;
  createdAt: string;
  finishedAt: string | null;
  request: SweepRequest;
  cellsDone: number;
  cellsTotal: number;
  error: { code: string; message: string } | null;
  plan: { points: GridPoint[]; seeds: number; testClips: number } | null;
  clean: CleanScore[];
  cells: CellSummary[];
}

const STATE_FILE = 'serve-state.json';
const FORMAT = 'earshot-serve-sweep';

export const RESULTS_FILE = 'results.json';

export async function writeState(dir: string, state: SweepState): Promise<void> {
  await writeAtomically(join(dir, STATE_FILE), JSON.stringify({ format: FORMAT, version: 1, ...state }));
}

/** The state written by {@link writeState}; null when the folder holds none (or an unreadable one). */
export async function readState(dir: string): Promise<SweepState | null> {
  try {
    const { format, version, ...state } = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as SweepState & { format: string; version: number };
    if (format !== FORMAT || version !== 1) return null;
    return {
      ...state,
      plan: state.plan && { ...state.plan, points: state.plan.points.map(withRoom) },
      cells: state.cells.map((c) => ({ ...c, point: withRoom(c.point) })),
    };
  } catch {
    return null;
  }
}

/** results.json without its spec (the spec holds the folders the engine read); null before the sweep ends. */
export async function readResults(dir: string): Promise<PublicResults | null> {
  try {
    return publicResults(JSON.parse(await readFile(join(dir, RESULTS_FILE), 'utf8')) as SweepResults);
  } catch {
    return null;
  }
}

export function publicResults(results: SweepResults): PublicResults {
  const { createdAt, snrMode, recipe, cleanReference, classes, testClips, bootstrap, cellsDone, cellsTotal, clean, points } = results;
  // Results written before rooms were measured have none.
  return { createdAt, snrMode, recipe, cleanReference, classes, testClips, bootstrap, cellsDone, cellsTotal, clean, rooms: results.rooms ?? [], points: points.map(withRoom) };
}

/** Sweeps written before rooms could be bank IRs name a grid point's room by its RT60 (`rt60S`). */
function withRoom<T extends GridPoint>(point: T): T {
  const old = point as T & { rt60S?: number };
  if (old.room !== undefined || old.rt60S === undefined) return point;
  const { rt60S, ...rest } = old;
  return { ...rest, room: rt60S } as T;
}
