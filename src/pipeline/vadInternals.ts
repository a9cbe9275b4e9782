import { VAD_CHUNK_SAMPLES, type SileroVad, type VadStream } from '../probes/vad.ts';

/** Options of {@link VadTracker}. */
export interface VadTrackerOptions {
  /** Audio waiting for the VAD beyond which new audio is skipped (live: never fall behind). Infinity: never skip. */
  maxBacklogS: number;
  /** Probabilities kept, seconds (at least the longest window). */
  keepS: number;
  sampleRateHz: number;
}

/**
 * Silero VAD over a stream's clean audio, for windowMetrics: feed every
 * chunk with {@link push}; {@link maxOver} gives the largest speech
 * probability of the 32 ms chunks inside a span, once the VAD has got that
 * far. Calls run in order on one VadStream (its LSTM state carries over). If
 * the VAD falls more than `maxBacklogS` behind, new audio is skipped and the
 * VAD restarts with fresh state when it has caught up; spans with no scored
 * chunk (skipped, or shorter than 32 ms) give null, as does a VAD failure.
 */
export class VadTracker {
  private stream: VadStream;
  private restart = false;
  /** Stream sample where the current VadStream's chunk grid starts. */
  private base = 0;
  private starts: number[] = [];
  private probs: number[] = [];
  private settled = 0;
  private failed = false;
  private closed = false;
  private tail: Promise<unknown> = Promise.resolve();
  private waiters: { end: number; resolve: () => void }[] = [];

  constructor(private readonly vad: SileroVad, private readonly opts: VadTrackerOptions) {
    this.stream = vad.stream();
  }

  /** Queue a chunk of clean audio starting at stream sample `startSample` (chunks must follow each other). */
  push(samples: Float32Array, startSample: number): void {
    if (this.closed) return;
    const end = startSample + samples.length;
    const skip = this.failed || (end - this.settled) / this.opts.sampleRateHz > this.opts.maxBacklogS;
    if (skip) this.restart = true;
    else if (this.restart) {
      this.restart = false;
      this.stream = this.vad.stream();
      this.base = startSample;
    }
    const stream = this.stream;
    const base = this.base;
    this.tail = this.tail
      .then(async () => {
        if (skip || this.closed) return;
        const done = Math.floor((startSample - base) / VAD_CHUNK_SAMPLES);
        const p = await stream.push(samples);
        for (let k = 0; k < p.length; k++) this.record(base + (done + k) * VAD_CHUNK_SAMPLES, p[k]);
      })
      .catch(() => void (this.failed = true))
      .then(() => this.settle(end));
  }

  /** Max speech probability over the 32 ms chunks within [startSample, endSample); null when none was scored. */
  async maxOver(startSample: number, endSample: number): Promise<number | null> {
    if (this.settled < endSample && !this.closed) await new Promise<void>((resolve) => this.waiters.push({ end: endSample, resolve }));
    let best: number | null = null;
    for (let i = 0; i < this.starts.length; i++) {
      const s = this.starts[i];
      if (s >= startSample && s + VAD_CHUNK_SAMPLES <= endSample) best = best === null ? this.probs[i] : Math.max(best, this.probs[i]);
    }
    return best;
  }

  /** Stop: pending maxOver calls resolve with what is known. */
  dispose(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private record(start: number, p: number): void {
    this.starts.push(start);
    this.probs.push(p);
    const keep = this.opts.keepS * this.opts.sampleRateHz;
    let cut = 0;
    while (cut < this.starts.length && this.starts[cut] < start - keep) cut++;
    if (cut > 64) {
      this.starts = this.starts.slice(cut);
      this.probs = this.probs.slice(cut);
    }
  }

  private settle(end: number): void {
    this.settled = end;
    const ready = this.waiters.filter((w) => w.end <= end);
    this.waiters = this.waiters.filter((w) => w.end > end);
    for (const w of ready) w.resolve();
  }
}
