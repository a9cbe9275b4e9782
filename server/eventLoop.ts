import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** A turn of the event loop later than this counts as a stall: every client waited that long. */
export const STALL_MS = 50;
/** How often the stall timer checks how late it runs (ms). */
const TICK_MS = 10;

/**
 * Event-loop lag of this process: Node's delay histogram (for quantiles since
 * the last read) and a timer that counts stalls over {@link STALL_MS} and
 * keeps the worst delay seen, so that a block shorter than a scrape interval
 * is still caught. `close()` stops both.
 */
export class EventLoopMonitor {
  /** Stalls over STALL_MS since start. */
  stalls = 0;
  /** Worst delay since the last {@link takeMaxMs}, ms. */
  private maxMs = 0;
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly timer: NodeJS.Timeout;
  private last = performance.now();

  constructor() {
    this.histogram.enable();
    this.timer = setInterval(() => {
      const now = performance.now();
      const lateMs = now - this.last - TICK_MS;
      this.last = now;
      if (lateMs > this.maxMs) this.maxMs = lateMs;
      if (lateMs > STALL_MS) this.stalls++;
    }, TICK_MS);
    this.timer.unref();
  }

  /** Delay quantiles (ms) since the last call, then start afresh. */
  takeQuantilesMs(): { p50: number; p99: number; max: number } {
    const h = this.histogram;
    const q = { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: Math.max(h.max / 1e6, this.takeMaxMs()) };
    h.reset();
    return q;
  }

  /** The worst delay since the last call (ms), then start afresh. */
  takeMaxMs(): number {
    const m = this.maxMs;
    this.maxMs = 0;
    return m;
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
