/**
 * What a sweep leaves in its output folder: results.json, results.csv and
 * report.html, each written whole or not at all.
 */
import {} from 'node:fs/promises';
import { join } from 'node:path';
import { describeFsError, writeAtomically } from '../writeAtomically.ts';
import { stringify } from 'csv-stringify/sync';
import { Errors } from '../errors.ts';
import { renderReport } from './report.ts';
import { orderedModels, pointComparator } from './gridLabels.ts';
import type { Estimate, ProbeMetrics, RoomResult, SweepResults, WakeWordMetrics } from './types.ts';
import { makeDirectory } from '../makeDirectory.ts';

/**
 * results.csv columns, one row per model's clean reference first, then one per grid point:
 *   condition        "clean" (the model's probe on clean clips) or "degraded" (a grid point)
 *   model
 *   snr_db           dB, or "clean" for a grid point without added noise; empty on clean rows
 *   room             the room: an RT60 in s (0: dry source, no room) or a RIR bank IR's id; empty on clean rows
 *   rt60_s           the simulated room's RT60 (0: dry); empty for IR rooms and on clean rows
 *   azimuth_deg, noise, noise_sources   the rest of the condition; empty on clean rows
 *   snr_mode         pooled or per-channel: how the noise gain was set (the sweep's, on every row)
 *   recipe           earshot or nathear: the scene recipe (the sweep's, on every row)
 *   clean_reference  levelled or original: what cosine and rel_* compare with (the sweep's, on every row)
 *   seeds            seeds aggregated into the row; empty on clean rows
 *   clips            test clips
 *   top1, macro_f1, map, cosine, rel_top1, rel_macro_f1, rel_map: each with _lo and _hi,
 *                    its 95% bootstrap interval. cosine: degraded vs clean scene embedding;
 *                    rel_*: degraded ÷ clean, paired on the same clips. Clean rows: cosine and rel_* are 1.
 *   room_kind        dry, simulated, or the IR's kind (measured, synthesized, user)
 *   room_channels    channels of the source IR (the scene's before any downmix to the model)
 *   room_t20_s, room_t30_s   Schroeder T20 / T30 of the room's IR, no noise compensation (results.json: rooms)
 *   room_rt60_s, room_rt60_method   noise-compensated RT60 and its fit (T30 or T20)
 *   room_drr_db, room_c50_db        direct-to-reverberant ratio and C50
 *                    Room columns are empty on clean rows and where the IR gives no value (dry, too short a decay).
 * Numbers carry 6 significant digits; a value the sweep could not compute is empty.
 *
 * A wake-word sweep (protocol wakeword) has one row per head of each of those rows, with these
 * columns added (see WakeWordMetrics in types.ts):
 *   wake_head, wake_threshold, wake_positives, wake_negatives, wake_negative_hours
 *   detection_rate, fa_per_clip, fa_per_hour, auc: each with _lo and _hi, its 95% bootstrap interval
 */
export const csvColumns = [
  'condition', 'model', 'snr_db', 'room', 'rt60_s', 'azimuth_deg', 'noise', 'noise_sources', 'snr_mode', 'recipe', 'clean_reference', 'seeds', 'clips',
  ...['top1', 'macro_f1', 'map', 'cosine', 'rel_top1', 'rel_macro_f1', 'rel_map'].flatMap((m) => [m, `${m}_lo`, `${m}_hi`]),
  'room_kind', 'room_channels', 'room_t20_s', 'room_t30_s', 'room_rt60_s', 'room_rt60_method', 'room_drr_db', 'room_c50_db',
];

function roomCells(r: RoomResult | undefined): string[] {
  if (r === undefined) return ['', '', '', '', '', '', '', ''];
  const opt = (x: number | null) => (x === null ? '' : num(x));
  return [r.kind, String(r.channels), opt(r.t20S), opt(r.t30S), opt(r.rt60S), r.rt60Method ?? '', opt(r.drrDb), opt(r.c50Db)];
}

function num(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : '';
}

function estimateCells(e: Estimate): string[] {
  return [num(e.mean), num(e.lo), num(e.hi)];
}

function metricCells(m: ProbeMetrics): string[] {
  return [...estimateCells(m.top1), ...estimateCells(m.macroF1), ...estimateCells(m.mAP)];
}

const one: Estimate = { mean: 1, lo: 1, hi: 1 };

/** The wake-word columns of a wake-word sweep's CSV. */
export const wakeCsvColumns = [
  'wake_head', 'wake_threshold', 'wake_positives', 'wake_negatives', 'wake_negative_hours',
  ...['detection_rate', 'fa_per_clip', 'fa_per_hour', 'auc'].flatMap((m) => [m, `${m}_lo`, `${m}_hi`]),
];

/** One row per head of a wake-word sweep's row (the row alone otherwise). */
function withHeads(row: string[], wake: WakeWordMetrics[] | undefined): string[][] {
  if (wake === undefined) return [row];
  return wake.map((w) => [
    ...row, w.head, num(w.threshold), String(w.positives), String(w.negatives), num(w.negativeHours),
    ...estimateCells(w.detectionRate), ...estimateCells(w.falseAcceptsPerClip), ...estimateCells(w.falseAcceptsPerHour), ...estimateCells(w.auc),
  ]);
}

export function resultsCsv(results: SweepResults): string {
  const models = orderedModels(results);
  const scene = [results.snrMode, results.recipe, results.cleanReference];
  const rank = (model: string) => models.indexOf(model);
  const clean = [...results.clean]
    .sort((a, b) => rank(a.model) - rank(b.model))
    .flatMap((c) => withHeads(['clean', c.model, '', '', '', '', '', '', ...scene, '', String(c.clips), ...metricCells(c), ...estimateCells(one), ...metricCells({ top1: one, macroF1: one, mAP: one }), ...roomCells(undefined)], c.wakeword));
  const rooms = new Map((results.rooms ?? []).map((r) => [r.room, r]));
  const degraded = [...results.points].sort(pointComparator(models)).flatMap((p) => withHeads([
    'degraded', p.model, p.snrDb === 'clean' ? 'clean' : num(p.snrDb), typeof p.room === 'number' ? num(p.room) : p.room, typeof p.room === 'number' ? num(p.room) : '',
    num(p.azimuthDeg), p.noise, String(p.noiseSources), ...scene, String(p.seeds), String(p.clips),
    ...metricCells(p), ...estimateCells(p.cosine), ...metricCells(p.relative), ...roomCells(rooms.get(p.room)),
  ], p.wakeword));
  return stringify([...clean, ...degraded], { header: true, columns: results.spec.wakeword ? [...csvColumns, ...wakeCsvColumns] : csvColumns });
}

/** Write results.json, results.csv and report.html into `outDir` (created if missing); returns their paths. */
export async function writeOutputs(outDir: string, results: SweepResults): Promise<{ json: string; csv: string; html: string }> {
  // Everything is rendered before anything is written, so a failing render leaves the old files in place.
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const csv = resultsCsv(results);
  const html = await renderReport(results);
  const paths = { json: join(outDir, 'results.json'), csv: join(outDir, 'results.csv'), html: join(outDir, 'report.html') };
  await makeDirectory(outDir).catch((err: unknown) => {
    throw new Errors.WRITE_FAILED(outDir, describeFsError(err));
  });
  await writeAtomically(paths.json, json);
  await writeAtomically(paths.csv, csv);
  await writeAtomically(paths.html, html);
  return paths;
}
