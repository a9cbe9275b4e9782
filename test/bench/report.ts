/** What every test/bench/*.bench.ts returns from its default `run()`; test/bench/run.ts prints and saves them. */
export interface BenchRow {
  /** What was measured, e.g. "earshot convolve, 2-ch 2 s IR". */
  metric: string;
  value: number;
  /** Unit of `value` (and `baseline`), e.g. "x real time", "ms". */
  unit: string;
  /** The peer's figure in the same unit, measured in the same run. */
  baseline?: number;
  /** value / baseline (> 1: we are ahead when higher is better). */
  ratio?: number;
  /** The goal, in words, e.g. ">= 0.5x afir". */
  target?: string;
}

export interface BenchReport {
  name: string;
  rows: BenchRow[];
}

/** Wall time of the fastest of `runs` calls, in ms (the least disturbed by the rest of the machine). */
export function bestOfMs(runs: number, fn: () => void): number {
  let ms = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
}
