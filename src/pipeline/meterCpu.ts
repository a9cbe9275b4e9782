import { Observable, type MonoTypeOperatorFunction } from '../rxjs.ts';

/**
 * Main-thread time one stream spends in its own pipeline, summed over every
 * place it is metered. Nested meters (a chunk that runs a metered stage
 * synchronously inside another) count once, at the outermost.
 */
export class CpuMeter {
  /** Milliseconds of main-thread work so far. */
  totalMs = 0;
  private depth = 0;

  /** Add time measured elsewhere (e.g. by the worker thread that did the work). */
  add(ms: number): void {
    this.totalMs += ms;
  }

  /** Run `fn` and add its duration (wall time of synchronous work is CPU time of this thread). */
  run(fn: () => void): void {
    if (this.depth > 0) return fn();
    this.depth++;
    const t0 = performance.now();
    try {
      fn();
    } finally {
      this.totalMs += performance.now() - t0;
      this.depth--;
    }
  }
}

/**
 * Time what each value does downstream, synchronously, on `meter`
 * (rendering, windowing and metrics run inside the `next` that delivers a value).
 *
 * ```
 * source:  -a--b--|
 * result:  -a--b--|   (meter.totalMs grows by the downstream work of a and b)
 * ```
 */
export function meterCpu<T>(meter: CpuMeter): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (value) => meter.run(() => subscriber.next(value)),
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
