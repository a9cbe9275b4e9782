import { concatMap, from, type OperatorFunction } from '../rxjs.ts';
import type { WakeWordHead, WakeWordScorer } from '../probes/wakeword.ts';
import { RecentMean } from './smoothProbe.ts';
import type { ProbedWindow, ProbeSettings, WakeWordOutput } from './types.ts';

/** A wake-word probe opened for one model of a stream: its heads over that model's embeddings. */
export interface LoadedWakeWord {
  /** The probe manifest's id (oww-wakeword). */
  id: string;
  modelId: string;
  heads: WakeWordHead[];
}

/** One side (clean or degraded) of one head: its streaming scorer, recent scores and the last score reported. */
class HeadSide {
  private readonly scorer: WakeWordScorer;
  private readonly recent = new RecentMean();
  private last = 0;

  constructor(head: WakeWordHead) {
    this.scorer = head.scorer();
  }

  /** Push one window's embedding: the smoothed score (null until a full window of embeddings) and whether it crossed the threshold upwards. */
  async push(embedding: Float32Array, settings: ProbeSettings): Promise<{ score: number | null; detected: boolean }> {
    const raw = await this.scorer.push(embedding);
    if (raw.length === 0) return { score: null, detected: false };
    this.recent.push([raw[raw.length - 1]]);
    const score = this.recent.mean(settings.probeSmooth)[0];
    const detected = score >= settings.wakeThreshold && this.last < settings.wakeThreshold;
    this.last = score;
    return { score, detected };
  }
}

/**
 * openWakeWord's heads on a live stream of the speech embedding: each window
 * of that model carries the embedding of one 80 ms hop, so each head scores
 * the last `frames` (16; weather 22, timer 34) windows' embeddings, clean and
 * degraded apart, as upstream's streaming `Model.predict` does. Scores are
 * averaged over the last `probeSmooth` windows, and a detection is the
 * (smoothed) score reaching `wakeThreshold` from below; both settings are
 * read at each window. A window dropped under load leaves its embedding out
 * of the heads' history. Without a probe, `wakeword` is null.
 *
 * ```
 * source:  -a--b--…--p--|        (16 windows)
 * result:  -A--B--…--P--|        (A..O: scores null; P: the first scores)
 * ```
 */
export function wakeWordWindows(probe: LoadedWakeWord | null, settings: { readonly value: ProbeSettings }): OperatorFunction<ProbedWindow, ProbedWindow> {
  if (probe === null) return (source) => source;
  const sides = probe.heads.map((h) => ({ id: h.id, clean: new HeadSide(h), degraded: new HeadSide(h) }));
  return concatMap((w) => {
    const s = settings.value;
    const scored = Promise.all(
      sides.map(async (h) => {
        const [clean, degraded] = await Promise.all([h.clean.push(w.cleanEmbedding, s), h.degraded.push(w.degradedEmbedding, s)]);
        return { id: h.id, clean: clean.score, degraded: degraded.score, detected: { clean: clean.detected, degraded: degraded.detected } };
      }),
    );
    return from(scored.then((heads): ProbedWindow => ({ ...w, wakeword: { probe: probe.id, threshold: s.wakeThreshold, smooth: s.probeSmooth, heads } satisfies WakeWordOutput })));
  });
}
