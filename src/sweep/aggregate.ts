import { cellKey, pointKey } from './grid.ts';
import { loadProbeManifest } from '../probes/probeManifest.ts';
import { BOOTSTRAP_RESAMPLES, estimateClean, estimatePoint, runMetrics, type Run } from './stats.ts';
import { estimateWakeWord } from './wakeStats.ts';
import type { CellRecord, CellSummary, CleanRecord, GridPoint, PointResult, RoomResult, SweepRecord, SweepResults, SweepSpec } from './types.ts';

/**
 * results.json from the records on disk: every grid point with at least one
 * finished seed, aggregated over its seeds, and each model's clean reference.
 * Records of seeds or points outside the current grid are left out.
 */
export function aggregateResults(
  spec: SweepSpec,
  classes: string[],
  testLabels: ArrayLike<number>,
  points: GridPoint[],
  cellsTotal: number,
  records: ReadonlyMap<string, SweepRecord>,
  rooms: RoomResult[],
  resamples = BOOTSTRAP_RESAMPLES,
): SweepResults {
  const clean: SweepResults['clean'] = [];
  const heads = spec.wakeword ? wakeHeads(spec.wakeword.probe, classes) : [];
  const wake = (runs: CellRecord[] | CleanRecord[], label: string) =>
    spec.wakeword ? { wakeword: estimateWakeWord(runs, testLabels, classes, heads, spec.wakeword.threshold, label, resamples) } : {};
  for (const model of spec.models) {
    const record = records.get(`clean|${model}`) as CleanRecord | undefined;
    if (record) clean.push({ model, clips: testLabels.length, ...estimateClean(record, testLabels, classes.length, `clean|${model}`, resamples), ...wake([record], `clean|${model}`) });
  }
  const results: PointResult[] = [];
  let cellsDone = 0;
  for (const point of points) {
    const cleanRecord = records.get(`clean|${point.model}`) as CleanRecord | undefined;
    const runs: CellRecord[] = [];
    for (let seed = 0; seed < spec.seeds; seed++) {
      const r = records.get(cellKey(point, seed)) as CellRecord | undefined;
      if (r) runs.push(r);
    }
    cellsDone += runs.length;
    if (runs.length === 0 || !cleanRecord) continue;
    const estimates = estimatePoint(runs as Run[], cleanRecord, testLabels, classes.length, pointKey(point), resamples);
    results.push({ ...point, snrMode: spec.snrMode, recipe: spec.recipe, seeds: runs.length, clips: testLabels.length, ...estimates, ...wake(runs, pointKey(point)) });
  }
  return {
    format: 'earshot-sweep-results',
    version: 1,
    createdAt: new Date().toISOString(),
    snrMode: spec.snrMode,
    recipe: spec.recipe,
    cleanReference: spec.cleanReference,
    spec,
    classes,
    testClips: testLabels.length,
    bootstrap: resamples,
    cellsDone,
    cellsTotal,
    clean,
    rooms,
    points: results,
  };
}

/** A finished cell's own numbers (one seed, no intervals), for progress displays; relative to its model's clean top-1. */
export function cellSummary(record: CellRecord, cleanTop1: number, testLabels: ArrayLike<number>, classes: number): CellSummary {
  const m = runMetrics(record, testLabels, classes);
  const { model, snrDb, room, azimuthDeg, noise, noiseSources, seed } = record.cell;
  return { key: record.key, point: { model, snrDb, room, azimuthDeg, noise, noiseSources }, seed, top1: m.top1, macroF1: m.macroF1, mAP: m.mAP, cosine: m.cosine, relativeTop1: cleanTop1 > 0 ? m.top1 / cleanTop1 : Number.NaN };
}

/**
 * The heads a wake-word sweep scores: those of the probe manifest with a
 * folder of positives in the data, in the data's class order.
 */
export function wakeHeads(probe: string, classes: string[]): string[] {
  const all = Object.keys(loadProbeManifest(probe).manifest.files);
  return classes.filter((c) => all.includes(c));
}
