import type { WakeWordOutput } from './wire.ts';

/** Windows of wake-word scores kept for the plot (48 s at one window per 80 ms). */
const KEPT = 600;
/** Detections kept for the list. */
const DETECTIONS_KEPT = 50;

export interface WakeDetection {
  t: number;
  head: string;
  side: 'clean' | 'degraded';
  score: number;
}

/** What the wake-word panel draws: per head, clean and degraded scores over stream time (null before a head's first full window). */
export interface WakeSnapshot {
  probe: string;
  threshold: number;
  smooth: number;
  t: number[];
  heads: string[];
  clean: Record<string, (number | null)[]>;
  degraded: Record<string, (number | null)[]>;
  detections: WakeDetection[];
}

/** Accumulates the `wakeword` field of one model's results into snapshots (replaced, never edited). */
export class WakeTrack {
  private snap: WakeSnapshot | null = null;

  push(t: number, w: WakeWordOutput): WakeSnapshot {
    const prev = this.snap;
    const heads = w.heads.map((h) => h.id);
    const keep = <T>(xs: T[], x: T) => [...(xs.length >= KEPT ? xs.slice(1) : xs), x];
    const clean: WakeSnapshot['clean'] = {};
    const degraded: WakeSnapshot['degraded'] = {};
    const detections = [...(prev?.detections ?? [])];
    for (const h of w.heads) {
      clean[h.id] = keep(prev?.clean[h.id] ?? [], h.clean);
      degraded[h.id] = keep(prev?.degraded[h.id] ?? [], h.degraded);
      for (const side of ['clean', 'degraded'] as const) if (h.detected[side]) detections.push({ t, head: h.id, side, score: h[side] ?? 0 });
    }
    this.snap = { probe: w.probe, threshold: w.threshold, smooth: w.smooth, t: keep(prev?.t ?? [], t), heads, clean, degraded, detections: detections.slice(-DETECTIONS_KEPT) };
    return this.snap;
  }

  reset(): void {
    this.snap = null;
  }
}
