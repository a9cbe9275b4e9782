/**
 * How much pushed audio a `push` stream takes: a token bucket of samples
 * that refills at `speed` × real time and holds `burstS` seconds of audio
 * (network jitter delivers a few chunks at once). A chunk that does not fit
 * is dropped whole and counted: a client pushing faster than `speed` × real
 * time would otherwise make its stream render and encode faster than real
 * time, on the main thread every other stream shares.
 */
export class PushBudget {
  /** Samples dropped so far. */
  droppedSamples = 0;
  private tokens: number;
  private lastMs: number;
  private readonly capacity: number;

  constructor(
    readonly sampleRateHz: number,
    readonly speed: number,
    burstS: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = sampleRateHz * burstS;
    this.tokens = this.capacity;
    this.lastMs = now();
  }

  /** Seconds of audio dropped so far. */
  get droppedS(): number {
    return this.droppedSamples / this.sampleRateHz;
  }

  /** How long until `samples` more would fit (ms; 0 when they fit now). */
  waitMs(samples: number): number {
    const short = Math.min(samples, this.capacity) - this.tokens;
    return short <= 0 ? 0 : (short / (this.sampleRateHz * this.speed)) * 1000;
  }

  /** True when `samples` may go on; false (and counted) when they come too fast. */
  take(samples: number): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.lastMs) / 1000) * this.sampleRateHz * this.speed);
    this.lastMs = t;
    if (samples > this.tokens) {
      this.droppedSamples += samples;
      return false;
    }
    this.tokens -= samples;
    return true;
  }
}
