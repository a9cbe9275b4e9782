import { fitPca2, projectPca2, type Pca2 } from './pca.ts';
import type { ResultMsg } from './wire.ts';

/** One model's results so far, as plot-ready arrays (a fresh snapshot after every result). */
export interface TrackSnapshot {
  model: string;
  /** Window end times, stream seconds. Where windows are missing (dropped, or skipped for a slow client) a row of nulls sits between their neighbours, so charts draw a gap. */
  t: number[];
  cosine: (number | null)[];
  cka: (number | null)[];
  agreement: (number | null)[];
  vad: (number | null)[];
  /** Window end captured -> received here, ms (same clock when the server is local). */
  latencyMs: (number | null)[];
  /** Probe classes, and per class the clean and degraded probability per window (null without a probe). */
  probe: { id: string; classes: string[]; clean: (number | null)[][]; degraded: (number | null)[][] } | null;
  latest: ResultMsg;
  /** Clean and degraded embeddings of the latest window. */
  embedding: { clean: Float32Array; degraded: Float32Array };
  /** 2-D projection on the first two principal axes of the clean embeddings in view. */
  projection: Projection | null;
  /** Mean cosine over the last 10 windows. */
  cosineRecent: number;
  agreementRecent: number | null;
}

export interface Projection {
  /** x0, y0, x1, y1, ... oldest first. */
  clean: Float32Array;
  degraded: Float32Array;
  /** Share of the clean embeddings' variance the two axes explain. */
  explained: number;
}

export interface TrackOptions {
  /** Points kept for the time series. */
  capacity: number;
  /** Windows kept for the projection (PCA fitted on their clean embeddings). */
  projectionWindows: number;
  /** Refit the PCA every this many results (it is warm-started, so cheap). */
  refitEvery: number;
}

export const TRACK_DEFAULTS: Readonly<TrackOptions> = Object.freeze({ capacity: 750, projectionWindows: 160, refitEvery: 4 });

/** Accumulates one model's stream of results; `push` returns the new snapshot. */
export class ModelTrack {
  private readonly o: TrackOptions;
  private t: number[] = [];
  private cosine: (number | null)[] = [];
  private cka: (number | null)[] = [];
  private agreement: (number | null)[] = [];
  private vad: (number | null)[] = [];
  private latencyMs: (number | null)[] = [];
  private lastSeq: number | null = null;
  private probe: TrackSnapshot['probe'] = null;
  private cleanRows: Float32Array[] = [];
  private degradedRows: Float32Array[] = [];
  private pca: Pca2 | null = null;
  private sinceFit = 0;

  constructor(
    readonly model: string,
    options: Partial<TrackOptions> = {},
  ) {
    this.o = { ...TRACK_DEFAULTS, ...options };
  }

  push(r: ResultMsg, clean: Float32Array, degraded: Float32Array, receivedAtMs: number): TrackSnapshot {
    const cap = this.o.capacity;
    const m = r.metrics;
    // Windows missing between the last result and this one: a row of nulls halfway, which charts draw as a gap.
    if (this.lastSeq !== null && r.seq > this.lastSeq + 1 && this.t.length > 0) this.appendGap((this.t[this.t.length - 1] + r.t1S) / 2);
    this.lastSeq = r.seq;
    this.t = appendCapped(this.t, r.t1S, cap);
    this.cosine = appendCapped(this.cosine, m.cosine, cap);
    this.cka = appendCapped(this.cka, m.cka, cap);
    this.agreement = appendCapped(this.agreement, m.probeAgreement, cap);
    this.vad = appendCapped(this.vad, m.vadProbability, cap);
    this.latencyMs = appendCapped(this.latencyMs, Math.max(0, receivedAtMs - r.capturedAtMs), cap);
    this.pushProbe(r);

    this.cleanRows = appendCapped(this.cleanRows, clean, this.o.projectionWindows);
    this.degradedRows = appendCapped(this.degradedRows, degraded, this.o.projectionWindows);
    if (++this.sinceFit >= this.o.refitEvery || this.pca === null) {
      this.pca = fitPca2(this.cleanRows, this.pca) ?? this.pca;
      this.sinceFit = 0;
    }

    return {
      model: this.model,
      t: this.t,
      cosine: this.cosine,
      cka: this.cka,
      agreement: this.agreement,
      vad: this.vad,
      latencyMs: this.latencyMs,
      probe: this.probe,
      latest: r,
      embedding: { clean, degraded },
      projection: this.project(),
      cosineRecent: mean(this.cosine.slice(-10).filter((c): c is number => c !== null)),
      agreementRecent: this.agreement.at(-1) === null ? null : mean(this.agreement.slice(-10).filter((a): a is number => a !== null)),
    };
  }

  private appendGap(t: number): void {
    const cap = this.o.capacity;
    this.t = appendCapped(this.t, t, cap);
    this.cosine = appendCapped(this.cosine, null, cap);
    this.cka = appendCapped(this.cka, null, cap);
    this.agreement = appendCapped(this.agreement, null, cap);
    this.vad = appendCapped(this.vad, null, cap);
    this.latencyMs = appendCapped(this.latencyMs, null, cap);
    if (this.probe) {
      const p = this.probe;
      this.probe = { ...p, clean: p.clean.map((series) => appendCapped(series, null, cap)), degraded: p.degraded.map((series) => appendCapped(series, null, cap)) };
    }
  }

  private pushProbe(r: ResultMsg): void {
    const cap = this.o.capacity;
    const p = r.probe;
    if (!p) {
      this.probe = null;
      return;
    }
    const prev = this.probe && this.probe.id === p.id && sameClasses(this.probe.classes, p.classes) ? this.probe : null;
    // A probe that appears late (or changes) starts its series with gaps (null) back to the start of the time axis.
    const gaps = (): (number | null)[] => new Array<number | null>(this.t.length - 1).fill(null);
    this.probe = {
      id: p.id,
      classes: p.classes,
      clean: p.classes.map((_, k) => appendCapped(prev ? prev.clean[k] : gaps(), p.clean[k], cap)),
      degraded: p.classes.map((_, k) => appendCapped(prev ? prev.degraded[k] : gaps(), p.degraded[k], cap)),
    };
  }

  private project(): Projection | null {
    const pca = this.pca;
    if (!pca) return null;
    const n = this.cleanRows.length;
    const clean = new Float32Array(2 * n);
    const degraded = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      clean.set(projectPca2(pca, this.cleanRows[i]), 2 * i);
      degraded.set(projectPca2(pca, this.degradedRows[i]), 2 * i);
    }
    return { clean, degraded, explained: (pca.variance[0] + pca.variance[1]) / pca.totalVariance };
  }
}

// A new array (snapshots stay immutable) holding the last `cap` items.
function appendCapped<T>(items: T[], item: T, cap: number): T[] {
  const start = Math.max(0, items.length + 1 - cap);
  const out = items.slice(start);
  out.push(item);
  return out;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

function sameClasses(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}
