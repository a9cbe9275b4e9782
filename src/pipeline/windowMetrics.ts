import { concatMap, defer, from, map, of, type OperatorFunction } from '../rxjs.ts';
import { cosineSimilarity, levelDbfs, RollingCka } from './metricsInternals.ts';
import { argmax } from '../probes/metrics.ts';
import type { ProbedWindow, WindowMetrics } from './types.ts';
import type { VadTracker } from './vadInternals.ts';

/** A window with its metrics, before the live stream stamps it for the sinks. */
export type MeasuredWindow = ProbedWindow & { metrics: WindowMetrics };

/**
 * Compare each window's clean and degraded sides (metricsInternals.ts):
 * cosine of the embeddings; probe agreement (same top class) and per-class
 * probability deltas (degraded − clean); linear CKA over the last
 * `ckaWindows` windows of this model (null until 3); the VAD speech
 * probability of the clean window (max over its 96 ms VAD chunks; waits for the
 * VAD to get that far; null without a VAD); RMS levels of what the model
 * heard. Order is kept.
 *
 * ```
 * source:  -a--b--c--|
 * result:  -A--B--C--|   (C.metrics.cka: the first non-null)
 * ```
 */
export function windowMetrics(opts: { ckaWindows: number; vad?: VadTracker | null }): OperatorFunction<ProbedWindow, MeasuredWindow> {
  const { ckaWindows, vad = null } = opts;
  return (source) =>
    defer(() => {
      let cka: RollingCka | null = null;
      const measure = (w: ProbedWindow, vadProbability: number | null): MeasuredWindow => {
        cka ??= new RollingCka(ckaWindows, w.cleanEmbedding.length);
        const p = w.probe;
        return {
          ...w,
          metrics: {
            cosine: cosineSimilarity(w.cleanEmbedding, w.degradedEmbedding),
            probeAgreement: p ? Number(argmax(p.clean) === argmax(p.degraded)) : null,
            classDeltas: p ? p.degraded.map((d, i) => d - p.clean[i]) : null,
            cka: cka.push(w.cleanEmbedding, w.degradedEmbedding),
            vadProbability,
            levelDbfs: { clean: levelDbfs(w.clean.slice(0, 1)), degraded: levelDbfs(w.degraded) },
          },
        };
      };
      return source.pipe(
        concatMap((w) => (vad ? from(vad.maxOver(w.startSample, w.startSample + w.clean[0].length)).pipe(map((v) => measure(w, v))) : of(measure(w, null)))),
      );
    });
}
