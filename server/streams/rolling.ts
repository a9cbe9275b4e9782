import type { WindowResult } from '../../src/pipeline/types.ts';

/** How many windows the rolling means of `/metrics` cover. */
export const ROLLING_WINDOWS = 30;

/** The last value and a mean over the last {@link ROLLING_WINDOWS} values of a series (non-finite values are left out). */
export class RollingMean {
  last: number | null = null;
  private readonly values: number[] = [];
  private sum = 0;

  push(x: number | null): void {
    if (x === null || !Number.isFinite(x)) return;
    this.last = x;
    this.values.push(x);
    this.sum += x;
    if (this.values.length > ROLLING_WINDOWS) this.sum -= this.values.shift() as number;
  }

  get mean(): number | null {
    return this.values.length === 0 ? null : this.sum / this.values.length;
  }
}

/** Per-model figures of one stream, kept for `/metrics`. */
export class ModelFigures {
  readonly cosine = new RollingMean();
  readonly probeAgreement = new RollingMean();
  windows = 0;
  droppedTotal = 0;

  add(r: WindowResult): void {
    this.windows++;
    this.droppedTotal = r.droppedTotal;
    this.cosine.push(r.metrics.cosine);
    this.probeAgreement.push(r.metrics.probeAgreement);
  }
}
