import type { GraphRunner } from '../encoders/types.ts';
import { sileroStep, SileroVad, VAD_SAMPLE_RATE_HZ } from '../probes/vad.ts';

/**
 * Samples per VAD call live: Silero VAD v4 takes 512, 1024 or 1536 samples at
 * 16 kHz; 1536 (96 ms) costs half the CPU per second of audio of 512 and a
 * third of the calls (about 0.7 ms a call here), which is what lets 16
 * streams share two cores.
 */
export const LIVE_VAD_CHUNK_SAMPLES = 1536;

/** Options of {@link VadTracker}. */
export interface VadTrackerOptions {
  /** Audio waiting for the VAD beyond which new audio is skipped (live: never fall behind). Infinity: never skip. */
  maxBacklogS: number;
  /** Probabilities kept, seconds (at least the longest window). */
  keepS: number;
  /** Samples per call: 512, 1024 or 1536. */
  chunkSamples: number;
}

/**
 * Silero VAD v4 (the graph of src/probes/vad.ts, checked by its SileroVad)
 * over a stream's clean 16 kHz audio, for windowMetrics: feed every chunk
 * with {@link push}; {@link maxOver} gives the largest speech probability of
 * the VAD chunks inside a span, once the VAD has got that far. Calls run in
 * order, the LSTM state carried from one to the next (fresh at the start, as
 * Silero's reset_states). If the VAD falls more than `maxBacklogS` behind,
 * new audio is skipped and it restarts with fresh state when it has caught
 * up; a span with no scored chunk (skipped, or shorter than one chunk) gives
 * null, as does a failing graph.
 */
export class VadTracker {
  private h: Float32Array = new Float32Array(128);
  private c: Float32Array = new Float32Array(128);
  private readonly chunk: Float32Array;
  private filled = 0;
  /** Stream sample where the chunk being filled starts. */
  private chunkStart = 0;
  private restart = false;
  private starts: number[] = [];
  private probs: number[] = [];
  private settled = 0;
  private failed = false;
  private closed = false;
  private tail: Promise<unknown> = Promise.resolve();
  private waiters: { end: number; resolve: () => void }[] = [];

  constructor(private readonly graph: GraphRunner, private readonly opts: VadTrackerOptions) {
    new SileroVad(graph); // refuses graphs other than v4
    this.chunk = new Float32Array(opts.chunkSamples);
  }

  /** Queue a chunk of clean audio starting at stream sample `startSample` (chunks must follow each other). */
  push(samples: Float32Array, startSample: number): void {
    if (this.closed) return;
    const end = startSample + samples.length;
    if (this.failed || (end - this.settled) / VAD_SAMPLE_RATE_HZ > this.opts.maxBacklogS) {
      this.restart = true;
      this.tail = this.tail.then(() => this.settle(end));
      return;
    }
    if (this.restart) {
      this.restart = false;
      this.h = new Float32Array(128);
      this.c = new Float32Array(128);
      this.filled = 0;
    }
    // Cut into whole VAD chunks now (in order); the graph calls run one after another.
    const ready: { start: number; data: Float32Array }[] = [];
    for (let i = 0; i < samples.length;) {
      if (this.filled === 0) this.chunkStart = startSample + i;
      const take = Math.min(this.chunk.length - this.filled, samples.length - i);
      this.chunk.set(samples.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === this.chunk.length) {
        ready.push({ start: this.chunkStart, data: this.chunk.slice() });
        this.filled = 0;
      }
    }
    this.tail = this.tail.then(async () => {
      for (const r of ready) if (!this.closed && !this.failed) this.record(r.start, await this.step(r.data));
      this.settle(end);
    });
  }

  /** Max speech probability over the VAD chunks within [startSample, endSample); null when none was scored. */
  async maxOver(startSample: number, endSample: number): Promise<number | null> {
    if (this.settled < endSample && !this.closed) await new Promise<void>((resolve) => this.waiters.push({ end: endSample, resolve }));
    let best: number | null = null;
    const n = this.opts.chunkSamples;
    for (let i = 0; i < this.starts.length; i++) {
      const s = this.starts[i];
      if (s >= startSample && s + n <= endSample) best = best === null ? this.probs[i] : Math.max(best, this.probs[i]);
    }
    return best;
  }

  /** Settles when the graph call under way (if any) is done: after dispose(), no further call starts. */
  idle(): Promise<void> {
    return this.tail.then(
      () => undefined,
      () => undefined,
    );
  }

  /** Stop: pending maxOver calls resolve with what is known. */
  dispose(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private async step(data: Float32Array): Promise<number> {
    try {
      const out = await sileroStep(this.graph, data, this.h, this.c);
      this.h = out.h;
      this.c = out.c;
      return out.probability;
    } catch {
      this.failed = true;
      return NaN;
    }
  }

  private record(start: number, p: number): void {
    if (Number.isNaN(p)) return;
    this.starts.push(start);
    this.probs.push(p);
    const keep = this.opts.keepS * VAD_SAMPLE_RATE_HZ;
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
