import type { ResultMsg } from './wire.ts';

/** The per-window figures of one result, flat: one CSV row or one NDJSON line. */
export interface MetricsRow {
  streamId: string;
  model: string;
  seq: number;
  t0S: number;
  t1S: number;
  conditionVersion: number;
  cosine: number;
  probeAgreement: number | null;
  cka: number | null;
  vadProbability: number | null;
  levelCleanDbfs: number;
  levelDegradedDbfs: number;
  probe: string | null;
  cleanTop: string | null;
  degradedTop: string | null;
  droppedTotal: number;
  capturedAtMs: number;
}

export const CSV_COLUMNS: readonly (keyof MetricsRow)[] = [
  'streamId', 'model', 'seq', 't0S', 't1S', 'conditionVersion', 'cosine', 'probeAgreement', 'cka', 'vadProbability',
  'levelCleanDbfs', 'levelDegradedDbfs', 'probe', 'cleanTop', 'degradedTop', 'droppedTotal', 'capturedAtMs',
];

/** Rows kept: about 12 h of one model at 80 ms windows would be more than a tab should hold; 200 000 is a few hours. */
const CAPACITY = 200_000;

/**
 * Every result's metrics since the stream was started or attached, for
 * export as CSV or NDJSON (no embeddings: the session recorder keeps those).
 * NDJSON lines carry the probe's class probabilities and Δprob too.
 */
export class MetricsLog {
  private rows: MetricsRow[] = [];
  private extras: { classes: string[] | null; clean: number[] | null; degraded: number[] | null; classDeltas: number[] | null }[] = [];

  get length(): number {
    return this.rows.length;
  }

  push(r: ResultMsg): void {
    const m = r.metrics;
    const p = r.probe;
    this.rows.push({
      streamId: r.streamId,
      model: r.model,
      seq: r.seq,
      t0S: r.t0S,
      t1S: r.t1S,
      conditionVersion: r.conditionVersion,
      cosine: m.cosine,
      probeAgreement: m.probeAgreement,
      cka: m.cka,
      vadProbability: m.vadProbability,
      levelCleanDbfs: m.levelDbfs.clean,
      levelDegradedDbfs: m.levelDbfs.degraded,
      probe: p?.id ?? null,
      cleanTop: p ? p.classes[argmax(p.clean)] : null,
      degradedTop: p ? p.classes[argmax(p.degraded)] : null,
      droppedTotal: r.droppedTotal,
      capturedAtMs: r.capturedAtMs,
    });
    this.extras.push({ classes: p?.classes ?? null, clean: p?.clean ?? null, degraded: p?.degraded ?? null, classDeltas: m.classDeltas });
    if (this.rows.length > CAPACITY) {
      this.rows.splice(0, this.rows.length - CAPACITY);
      this.extras.splice(0, this.extras.length - CAPACITY);
    }
  }

  clear(): void {
    this.rows = [];
    this.extras = [];
  }

  /** A header line, then one line per window; empty cells for missing values. */
  toCsv(): string {
    const lines = [CSV_COLUMNS.join(',')];
    for (const row of this.rows) lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
    return `${lines.join('\n')}\n`;
  }

  /** One JSON object per window: the CSV's fields plus the probe's probabilities and Δprob per class. */
  toNdjson(): string {
    return this.rows.map((row, i) => `${JSON.stringify({ ...row, ...this.extras[i] })}\n`).join('');
  }
}

function csvCell(v: string | number | null): string {
  if (v === null || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The index of the largest value (the first of equals). */
export function argmax(xs: number[]): number {
  let best = 0;
  for (let k = 1; k < xs.length; k++) if (xs[k] > xs[best]) best = k;
  return best;
}
