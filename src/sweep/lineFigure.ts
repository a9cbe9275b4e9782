/**
 * The vega-lite spec of the report's line figures: a metric against one grid
 * axis, one line and interval band per model, panels per room.
 */
import type * as vl from 'vega-lite';

/** One point of a line: a model's metric at x in a panel, with its interval. */
export interface LineRow {
  model: string;
  x: number;
  panel: string;
  metric: string;
  mean: number;
  lo: number;
  hi: number;
  /** The model's clean value, drawn as a dashed reference line. */
  ref: number | null;
}

/** What a line figure draws. */
export interface LineFigure {
  rows: LineRow[];
  models: string[];
  metrics: string[];
  x: { title: string; ticks: number[]; labelExpr: string };
  /** Column facet (one panel per value), or null for a single column. */
  panels: { title: string; order: string[] } | null;
}

/**
 * Lines with interval bands, one colour per model; one row per metric (each row
 * with its own y scale, shared across its panels), one column per panel value.
 */
export function lineSpec(f: LineFigure): vl.TopLevelSpec {
  const color = { field: 'model', type: 'nominal', title: 'model', scale: { domain: f.models } } as const;
  const row = (metric: string, last: boolean) => {
    const x = {
      field: 'x',
      type: 'quantitative',
      title: last ? f.x.title : null,
      scale: { domain: [Math.min(...f.x.ticks), Math.max(...f.x.ticks)], nice: false },
      axis: { values: f.x.ticks, labelExpr: f.x.labelExpr, labelOverlap: 'greedy', labelFlush: false, grid: true },
    } as const;
    const y = { type: 'quantitative', title: metric, scale: { zero: false } } as const;
    const layers = {
      width: 190,
      height: 130,
      layer: [
        { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
        { mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.5 }, encoding: { x, y: { ...y, field: 'mean' }, color } },
        {
          transform: [{ filter: 'isValid(datum.ref)' }],
          mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1, opacity: 0.7 },
          encoding: { y: { ...y, field: 'ref' }, color },
        },
      ],
    };
    const transform = [{ filter: { field: 'metric', equal: metric } }];
    if (!f.panels) return { transform, ...layers };
    // Column headers once, above the first row.
    const header = f.metrics[0] === metric ? {} : { labels: false, title: null };
    return { transform, facet: { column: { field: 'panel', type: 'nominal', title: f.panels.title, sort: f.panels.order, header } }, spec: layers };
  };
  return {
    data: { values: f.rows },
    vconcat: f.metrics.map((m, i) => row(m, i === f.metrics.length - 1)),
  } as vl.TopLevelSpec;
}
