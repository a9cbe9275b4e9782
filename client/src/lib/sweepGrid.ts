/**
 * The sweep view's heatmaps, as plain data: for one model, every (SNR, RT60)
 * of the grid with the mean of a metric over the cells finished there (seeds,
 * and any other axis, pooled), and how many of its cells are in.
 */
import type { CellSummary, GridPoint } from '../../../src/sweep/types.ts';

export type Metric = 'top1' | 'relativeTop1';
export type Snr = number | 'clean';

export interface HeatCell {
  snrDb: Snr;
  rt60S: number;
  /** Mean over the finished cells; null before the first. */
  value: number | null;
  done: number;
  total: number;
}

export interface Heatmap {
  model: string;
  snrs: Snr[];
  rt60s: number[];
  /** rows[i][j]: snrs[i] × rt60s[j]. */
  rows: HeatCell[][];
}

/** Heatmaps per model, in the plan's order (cleanest SNR first, driest room first). */
export function heatmaps(points: GridPoint[], seeds: number, cells: CellSummary[], metric: Metric): Heatmap[] {
  const models = unique(points.map((p) => p.model));
  return models.map((model) => {
    const mine = points.filter((p) => p.model === model);
    const snrs = unique(mine.map((p) => p.snrDb)).sort(bySnrDescending);
    const rt60s = unique(mine.map((p) => p.rt60S)).sort((a, b) => a - b);
    const rows = snrs.map((snrDb) =>
      rt60s.map((rt60S) => {
        const at = (p: GridPoint) => p.model === model && p.snrDb === snrDb && p.rt60S === rt60S;
        const values = cells.filter((c) => at(c.point)).map((c) => c[metric]).filter(Number.isFinite);
        const total = mine.filter(at).length * seeds;
        return { snrDb, rt60S, value: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null, done: values.length, total };
      }),
    );
    return { model, snrs, rt60s, rows };
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

function bySnrDescending(a: Snr, b: Snr): number {
  if (a === 'clean' || b === 'clean') return a === b ? 0 : a === 'clean' ? -1 : 1;
  return b - a;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
