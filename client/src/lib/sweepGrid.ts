/**
 * The sweep view's heatmaps, as plain data: for one model, every (SNR, room)
 * of the grid with the mean of a metric over the cells finished there (seeds,
 * and any other axis, pooled), and how many of its cells are in.
 */
import type { GridPoint, Room } from '../../../src/sweep/types.ts';
import type { SweepDetail } from '../../../server/sweeps/schemas.ts';

/** A finished cell as the sweeps API sends it (its metrics null where undefined). */
type CellSummary = SweepDetail['cells'][number];

export type Metric = 'top1' | 'relativeTop1';
export type Snr = number | 'clean';

export interface HeatCell {
  snrDb: Snr;
  room: Room;
  /** Mean over the finished cells; null before the first. */
  value: number | null;
  done: number;
  total: number;
}

export interface Heatmap {
  model: string;
  snrs: Snr[];
  /** RT60s (0: dry) in order, then bank IRs in the plan's order. */
  rooms: Room[];
  /** rows[i][j]: snrs[i] × rooms[j]. */
  rows: HeatCell[][];
}

/** Heatmaps per model, in the plan's order (cleanest SNR first, driest simulated room first, then IRs). */
export function heatmaps(points: GridPoint[], seeds: number, cells: CellSummary[], metric: Metric): Heatmap[] {
  const models = unique(points.map((p) => p.model));
  return models.map((model) => {
    const mine = points.filter((p) => p.model === model);
    const snrs = unique(mine.map((p) => p.snrDb)).sort(bySnrDescending);
    const rooms = unique(mine.map((p) => p.room)).sort(byRt60First);
    const rows = snrs.map((snrDb) =>
      rooms.map((room) => {
        const at = (p: GridPoint) => p.model === model && p.snrDb === snrDb && p.room === room;
        const values = cells.filter((c) => at(c.point)).map((c) => c[metric]).filter((v): v is number => v !== null && Number.isFinite(v));
        const total = mine.filter(at).length * seeds;
        return { snrDb, room, value: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null, done: values.length, total };
      }),
    );
    return { model, snrs, rooms, rows };
  });
}

/** A fill for a value in [0, 1] (clamped): red at 0, amber at 0.5, green at 1, as the dashboard's bad/warn/good. */
export function heatColour(value: number): string {
  const stops: [number, [number, number, number]][] = [
    [0, [248, 113, 113]],
    [0.5, [250, 204, 21]],
    [1, [52, 211, 153]],
  ];
  const x = Math.min(1, Math.max(0, value));
  const k = x <= 0.5 ? 0 : 1;
  const [x0, c0] = stops[k];
  const [x1, c1] = stops[k + 1];
  const t = (x - x0) / (x1 - x0);
  const [r, g, b] = c0.map((c, i) => Math.round(c + t * (c1[i] - c)));
  return `rgba(${r}, ${g}, ${b}, 0.82)`;
}

/** "20, 10, clean" -> [20, 10, 'clean']; null when a token is neither a number nor "clean" (or `allowClean` is false). */
export function parseList(text: string, allowClean: boolean): Snr[] | null {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  const out: Snr[] = [];
  for (const t of tokens) {
    if (allowClean && t.toLowerCase() === 'clean') out.push('clean');
    else if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) out.push(Number(t));
    else return null;
  }
  return out;
}

/** Why `parseList` refuses `text`, or finds it empty, naming the bad value ("SNR \"loud\" is not a number…"); null when it reads. */
export function listProblem(text: string, allowClean: boolean, what: string): string | null {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  if (tokens.length === 0) return `no ${what} given: type at least one${allowClean ? ' number or "clean"' : ' number'}`;
  const bad = tokens.find((t) => parseList(t, allowClean) === null);
  return bad === undefined ? null : `${what} ${JSON.stringify(bad)} is not a number${allowClean ? ' or "clean"' : ''}`;
}

/** A room's column head: "dry", "0.6 s", or the IR's id. */
export function roomLabel(room: Room): string {
  return room === 0 ? 'dry' : typeof room === 'number' ? `${room} s` : room;
}

// RT60s ascending; IRs after them, in their order (a stable sort keeps it).
function byRt60First(a: Room, b: Room): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return (typeof a === 'number' ? 0 : 1) - (typeof b === 'number' ? 0 : 1);
}

function bySnrDescending(a: Snr, b: Snr): number {
  if (a === 'clean' || b === 'clean') return a === b ? 0 : a === 'clean' ? -1 : 1;
  return b - a;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
