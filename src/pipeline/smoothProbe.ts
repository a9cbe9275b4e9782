import { map, type OperatorFunction } from '../rxjs.ts';
import { MAX_PROBE_SMOOTH } from './resultSchemas.ts';
import type { ProbedWindow, ProbeSettings } from './types.ts';

/**
 * The last {@link MAX_PROBE_SMOOTH} vectors pushed, and the mean of the last
 * n of them (fewer while fewer have come).
 */
export class RecentMean {
  private readonly rows: number[][] = [];

  push(values: readonly number[]): void {
    this.rows.push([...values]);
    if (this.rows.length > MAX_PROBE_SMOOTH) this.rows.shift();
  }

  mean(n: number): number[] {
    const last = this.rows.slice(-Math.max(1, n));
    if (last.length === 0) return [];
    const out = new Array<number>(last[0].length).fill(0);
    for (const row of last) row.forEach((v, i) => (out[i] += v / last.length));
    return out;
  }
}

/**
 * A moving average of the linear probe's class probabilities over the last
 * `probeSmooth` windows of the model, clean and degraded apart (read from
 * `settings` at each window, so it changes live). 1 leaves them as they are.
 *
 * ```
 * probeSmooth 2:
 * source:  -a----b----c--|        (clean probability of a class)
 * result:  -a-(a+b)/2-(b+c)/2-|
 * ```
 */
export function smoothProbe(settings: { readonly value: ProbeSettings }): OperatorFunction<ProbedWindow, ProbedWindow> {
  const clean = new RecentMean();
  const degraded = new RecentMean();
  return map((w) => {
    if (w.probe === null) return w;
    clean.push(w.probe.clean);
    degraded.push(w.probe.degraded);
    const n = settings.value.probeSmooth;
    return n <= 1 ? w : { ...w, probe: { ...w.probe, clean: clean.mean(n), degraded: degraded.mean(n), smooth: n } };
  });
}
