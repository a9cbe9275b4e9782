/**
 * The report's figures, rendered to static SVG (figureSvg.ts): top-1 against
 * SNR, RT60 and room, a heat map over SNR × room, and embedding similarity.
 */
import type * as vl from 'vega-lite';
import type { Estimate, PointResult, SweepResults } from './types.ts';
import { toSvg } from './figureSvg.ts';
import { compareValues, orderedModels, roomAxisTitle, roomLabel, snrLabel, type Snr } from './gridLabels.ts';
import { lineSpec, type LineFigure, type LineRow } from './lineFigure.ts';
import { finiteMean } from './stats.ts';

export type Figure = { id: string; title: string; caption: string; svg: string } | { id: string; title: string; skipped: string };

type AxisKey = 'snrDb' | 'room' | 'azimuthDeg' | 'noise' | 'noiseSources';

const axisNames: Record<AxisKey, string> = { snrDb: 'SNR', room: 'room', azimuthDeg: 'azimuth', noise: 'noise', noiseSources: 'noise sources' };

/** A grid value with its unit, for captions and notes. */
function withUnit(key: AxisKey, value: number | string): string {
  if (key === 'snrDb') return value === 'clean' ? 'clean' : `${value} dB`;
  if (key === 'room') return value === 0 ? 'dry' : typeof value === 'number' ? `${value} s` : value;
  if (key === 'azimuthDeg') return `${value}°`;
  return String(value);
}

/** The values an axis takes among `points`, sorted. */
function distinct<K extends AxisKey>(points: PointResult[], key: K): PointResult[K][] {
  return [...new Set(points.map((p) => p[key]))].sort(compareValues);
}

/** "averaged over azimuth (0°, 90°) and noise (babble, pink)", or '' when none of `keys` varies. */
function averagedOver(points: PointResult[], keys: AxisKey[]): string {
  const parts = keys
    .map((k) => ({ k, values: distinct(points, k) }))
    .filter(({ values }) => values.length > 1)
    .map(({ k, values }) => `${axisNames[k]} (${values.map((v) => withUnit(k, v)).join(', ')})`);
  if (parts.length === 0) return '';
  return `averaged over ${parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`}`;
}

function bandNote(averaged: string): string {
  return averaged
    ? `Values ${averaged}; bands: mean of those grid points' 95% intervals.`
    : 'Bands: 95% bootstrap intervals.';
}

/**
 * Mean of estimates, bound by bound (a summary, not a new interval). Values the
 * sweep could not compute (NaN, or null once through JSON) are left out.
 */
function meanEstimate(estimates: Estimate[]): Estimate {
  return { mean: finiteMean(estimates.map((e) => e.mean)), lo: finiteMean(estimates.map((e) => e.lo)), hi: finiteMean(estimates.map((e) => e.hi)) };
}

function groupBy<T>(items: T[], key: (t: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

/**
 * 'clean' has no dB value: it is drawn one step right of the largest finite SNR
 * (about a fifth of the range, at least 5 dB) and labelled "clean".
 */
function snrPositions(snrs: Snr[]): { position: (s: Snr) => number; ticks: number[]; cleanAt: number | null } {
  const finite = snrs.filter((s): s is number => s !== 'clean').sort((a, b) => a - b);
  const max = finite.at(-1) ?? 0;
  const cleanAt = snrs.includes('clean') ? max + Math.max(5, Math.round((max - (finite[0] ?? 0)) / 5)) : null;
  const position = (s: Snr) => (s === 'clean' ? (cleanAt as number) : s);
  return { position, ticks: [...finite, ...(cleanAt === null ? [] : [cleanAt])], cleanAt };
}

const titles = {
  snr: 'Top-1 against SNR',
  rt60: 'Top-1 against RT60',
  rooms: 'Top-1 per room',
  heatmap: 'Top-1 over SNR × room',
  cosine: 'Embedding similarity against SNR',
} as const;

const metricLabels = { top1: 'top-1', relTop1: 'relative top-1', cosine: 'mean cosine' } as const;

/** Models with at least one finished grid point, in report order (fixes their colours). */
function plottedModels(results: SweepResults): string[] {
  return orderedModels(results).filter((m) => results.points.some((p) => p.model === m));
}

function cleanTop1(results: SweepResults): Map<string, number> {
  return new Map(results.clean.map((c) => [c.model, c.top1.mean]));
}

/** Rows for a metric against one axis: points grouped by (model, x, panel), other axes averaged. */
function lineRows(
  points: PointResult[],
  x: (p: PointResult) => number,
  panel: (p: PointResult) => string,
  metrics: { label: string; pick: (p: PointResult) => Estimate; ref: (model: string) => number | null }[],
): LineRow[] {
  return groupBy(points, (p) => JSON.stringify([p.model, x(p), panel(p)])).flatMap((group) => {
    const first = group[0];
    return metrics.map((m) => ({ model: first.model, x: x(first), panel: panel(first), metric: m.label, ...meanEstimate(group.map(m.pick)), ref: m.ref(first.model) }));
  });
}

/** Axis of SNR values for a line figure, or the reason there is nothing to draw against. */
function snrAxis(points: PointResult[]): { axis: LineFigure['x']; position: (s: Snr) => number } | string {
  const snrs = distinct(points, 'snrDb');
  if (snrs.length < 2) return `Only one SNR value (${snrs.map((s) => withUnit('snrDb', s)).join('')}): nothing to draw against SNR; see the tables.`;
  const { position, ticks, cleanAt } = snrPositions(snrs);
  const labelExpr = cleanAt === null ? 'datum.label' : `datum.value === ${cleanAt} ? 'clean' : datum.label`;
  return { axis: { title: 'SNR (dB)', ticks, labelExpr }, position };
}

/** Room panels for SNR figures: one column per room when there are several (the report's main interaction). */
function roomPanels(points: PointResult[]): { panels: LineFigure['panels']; panel: (p: PointResult) => string } {
  const rooms = distinct(points, 'room');
  if (rooms.length < 2) return { panels: null, panel: () => '' };
  return { panels: { title: roomAxisTitle(rooms), order: rooms.map(roomLabel) }, panel: (p) => roomLabel(p.room) };
}

async function snrFigure(results: SweepResults): Promise<Figure> {
  const id = 'snr';
  const title = titles[id];
  const points = results.points;
  const axis = snrAxis(points);
  if (typeof axis === 'string') return { id, title, skipped: axis };
  const { panels, panel } = roomPanels(points);
  const clean = cleanTop1(results);
  const rows = lineRows(points, (p) => axis.position(p.snrDb), panel, [
    { label: metricLabels.top1, pick: (p) => p.top1, ref: (m) => clean.get(m) ?? null },
    { label: metricLabels.relTop1, pick: (p) => p.relative.top1, ref: () => 1 },
  ]);
  const models = plottedModels(results);
  const svg = await toSvg(lineSpec({ rows, models, metrics: [metricLabels.top1, metricLabels.relTop1], x: axis.axis, panels }), id);
  const averaged = averagedOver(points, panels ? ['azimuthDeg', 'noise', 'noiseSources'] : ['room', 'azimuthDeg', 'noise', 'noiseSources']);
  const caption = [
    `Top-1 accuracy and relative top-1 (degraded ÷ clean, paired on the same clips) against SNR, one line per model${panels ? ', one column per room' : ''}.`,
    'Dashed lines: the clean reference.',
    bandNote(averaged),
    snrCleanNote(points),
  ].join(' ');
  return { id, title, caption, svg };
}

function snrCleanNote(points: PointResult[]): string {
  return points.some((p) => p.snrDb === 'clean') ? '"clean" (no added noise) is drawn at the right end of the SNR axis.' : '';
}

/** Rooms of the grid that are IRs, not RT60s. */
function hasIrRooms(points: PointResult[]): boolean {
  return points.some((p) => typeof p.room === 'string');
}

async function rt60Figure(results: SweepResults): Promise<Figure> {
  const id = 'rt60';
  const title = titles[id];
  // IR rooms have no place on an RT60 axis: they are drawn per room below.
  const points = results.points.filter((p) => typeof p.room === 'number');
  const rt60s = distinct(points, 'room') as number[];
  const irs = hasIrRooms(results.points) ? ' The IR rooms are in the figure per room.' : '';
  if (rt60s.length < 2) {
    const what = rt60s.length === 0 ? 'No RT60 value' : `Only one RT60 value (${rt60s.map((r) => withUnit('room', r)).join('')})`;
    return { id, title, skipped: `${what}: nothing to draw against reverberation; see the tables.${irs}` };
  }
  const clean = cleanTop1(results);
  const rows = lineRows(points, (p) => p.room as number, () => '', [
    { label: metricLabels.top1, pick: (p) => p.top1, ref: (m) => clean.get(m) ?? null },
    { label: metricLabels.relTop1, pick: (p) => p.relative.top1, ref: () => 1 },
  ]);
  const models = plottedModels(results);
  const x = { title: 'RT60 (s)', ticks: rt60s, labelExpr: `datum.value === 0 ? 'dry' : datum.label` };
  const svg = await toSvg(lineSpec({ rows, models, metrics: [metricLabels.top1, metricLabels.relTop1], x, panels: null }), id);
  const averaged = averagedOver(points, ['snrDb', 'azimuthDeg', 'noise', 'noiseSources']);
  const caption = [
    'Top-1 accuracy and relative top-1 against reverberation time (RT60 0: dry source, no room) of the simulated rooms, one line per model.',
    'Dashed lines: the clean reference.',
    bandNote(averaged),
    averaged.includes('SNR') ? 'The heatmap below separates SNR and room.' : '',
    irs,
  ].join(' ');
  return { id, title, caption, svg };
}

/**
 * Top-1 and relative top-1 per room, every room a category (RT60s and IRs by
 * name side by side): a point per model with its interval, no lines, since
 * rooms in a row are no scale.
 */
async function roomsFigure(results: SweepResults): Promise<Figure> {
  const id = 'rooms';
  const title = titles[id];
  const points = results.points;
  const rooms = distinct(points, 'room');
  if (rooms.length < 2) return { id, title, skipped: `Only one room (${rooms.map((r) => withUnit('room', r)).join('')}): nothing to compare; see the tables.` };
  const clean = cleanTop1(results);
  const rows = lineRows(points, () => 0, (p) => roomLabel(p.room), [
    { label: metricLabels.top1, pick: (p) => p.top1, ref: (m) => clean.get(m) ?? null },
    { label: metricLabels.relTop1, pick: (p) => p.relative.top1, ref: () => 1 },
  ]);
  const models = plottedModels(results);
  const color = { field: 'model', type: 'nominal', title: 'model', scale: { domain: models } } as const;
  const x = { field: 'panel', type: 'nominal', title: roomAxisTitle(rooms), sort: rooms.map(roomLabel), axis: { labelAngle: -30 } } as const;
  const xOffset = { field: 'model', type: 'nominal', sort: models } as const;
  const row = (metric: string, last: boolean) => ({
    transform: [{ filter: { field: 'metric', equal: metric } }],
    width: { step: Math.max(36, 14 * models.length) },
    height: 130,
    layer: [
      { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: last ? x : { ...x, title: null }, xOffset, y: { field: 'lo', type: 'quantitative', title: metric, scale: { zero: false } }, y2: { field: 'hi' }, color } },
      { mark: { type: 'point', filled: true, size: 30 }, encoding: { x, xOffset, y: { field: 'mean', type: 'quantitative' }, color } },
      {
        transform: [{ filter: 'isValid(datum.ref)' }],
        mark: { type: 'rule', strokeDash: [4, 3], strokeWidth: 1, opacity: 0.7 },
        encoding: { y: { field: 'ref', type: 'quantitative' }, color },
      },
    ],
  });
  const spec = { data: { values: rows }, vconcat: [row(metricLabels.top1, false), row(metricLabels.relTop1, true)] } as unknown as vl.TopLevelSpec;
  const averaged = averagedOver(points, ['snrDb', 'azimuthDeg', 'noise', 'noiseSources']);
  const caption = [
    'Top-1 accuracy and relative top-1 per room (simulated rooms by RT60, IRs by name; their acoustics are in the table of rooms), one point per model.',
    'Dashed lines: the clean reference.',
    averaged ? `Values ${averaged}; bars: mean of those grid points' 95% intervals.` : 'Bars: 95% bootstrap intervals.',
  ].join(' ');
  return { id, title, caption, svg: await toSvg(spec, id) };
}

async function heatmapFigure(results: SweepResults): Promise<Figure> {
  const id = 'heatmap';
  const title = titles[id];
  const points = results.points;
  const snrs = distinct(points, 'snrDb');
  const rooms = distinct(points, 'room');
  if (snrs.length < 2 && rooms.length < 2) {
    return { id, title, skipped: 'SNR and room each have one value: no grid to map; see the tables.' };
  }
  const cells = groupBy(points, (p) => JSON.stringify([p.model, p.snrDb, p.room])).map((group) => ({
    model: group[0].model,
    snr: snrLabel(group[0].snrDb),
    room: roomLabel(group[0].room),
    top1: meanEstimate(group.map((p) => p.top1)).mean,
  })).filter((c) => Number.isFinite(c.top1));
  const values = cells.map((c) => c.top1);
  // Text turns white on the darker half of the colour scale.
  const middle = values.length ? (Math.min(...values) + Math.max(...values)) / 2 : 0.5;
  const models = plottedModels(results);
  const spec = {
    data: { values: cells },
    facet: { field: 'model', type: 'nominal', title: null, sort: models },
    columns: Math.min(3, models.length),
    spec: {
      width: { step: 42 },
      height: { step: 26 },
      encoding: {
        x: { field: 'snr', type: 'ordinal', sort: snrs.map(snrLabel), title: 'SNR (dB)', axis: { labelAngle: 0 } },
        y: { field: 'room', type: 'ordinal', sort: rooms.map(roomLabel).reverse(), title: roomAxisTitle(rooms) },
      },
      layer: [
        { mark: 'rect', encoding: { color: { field: 'top1', type: 'quantitative', title: 'top-1', scale: { scheme: 'blues' } } } },
        {
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            text: { field: 'top1', type: 'quantitative', format: '.2f' },
            color: { condition: { test: `datum.top1 > ${middle}`, value: 'white' }, value: '#222' },
          },
        },
      ],
    },
  } as unknown as vl.TopLevelSpec;
  const averaged = averagedOver(points, ['azimuthDeg', 'noise', 'noiseSources']);
  const caption = [
    'Top-1 accuracy per SNR and room, one panel per model; the colour scale is shared across panels.',
    averaged ? `Values ${averaged}.` : '',
  ].join(' ');
  return { id, title, caption, svg: await toSvg(spec, id) };
}

async function cosineFigure(results: SweepResults): Promise<Figure> {
  const id = 'cosine';
  const title = titles[id];
  const points = results.points;
  const axis = snrAxis(points);
  if (typeof axis === 'string') return { id, title, skipped: axis };
  const { panels, panel } = roomPanels(points);
  const rows = lineRows(points, (p) => axis.position(p.snrDb), panel, [{ label: metricLabels.cosine, pick: (p) => p.cosine, ref: () => null }]);
  const models = plottedModels(results);
  const svg = await toSvg(lineSpec({ rows, models, metrics: [metricLabels.cosine], x: axis.axis, panels }), id);
  const averaged = averagedOver(points, panels ? ['azimuthDeg', 'noise', 'noiseSources'] : ['room', 'azimuthDeg', 'noise', 'noiseSources']);
  const caption = [
    `Mean cosine similarity of each test clip's degraded scene embedding to its clean one, against SNR${panels ? ', one column per room' : ''}.`,
    'Embedding spaces differ between models: compare the shape of the curves, not their levels.',
    bandNote(averaged),
    snrCleanNote(points),
  ].join(' ');
  return { id, title, caption, svg };
}

/** The report's figures in page order; a figure with nothing to show says why instead. */
export async function renderFigures(results: SweepResults): Promise<Figure[]> {
  if (results.points.length === 0) {
    const withIrs = results.spec.axes.room.some((r) => typeof r === 'string');
    return Object.entries(titles)
      .filter(([id]) => id !== 'rooms' || withIrs)
      .map(([id, title]) => ({ id, title, skipped: 'No grid point has finished yet.' }));
  }
  // One after another: vega's id counters are process-wide and the work is CPU-bound anyway.
  const figures: Figure[] = [];
  const makers = [snrFigure, rt60Figure, ...(hasIrRooms(results.points) ? [roomsFigure] : []), heatmapFigure, cosineFigure];
  for (const make of makers) figures.push(await make(results));
  return figures;
}
