import type { RecordedEvent } from './session.ts';

export interface ReplayHandlers {
  onEvent: (e: RecordedEvent) => void;
  /** Position in the recording (ms) and whether it is still playing; called on every tick. */
  onProgress: (atMs: number, playing: boolean) => void;
}

/** Feeds recorded events back at `speed` times their recorded pace, on a 25 ms tick. */
export class Replayer {
  private timer: ReturnType<typeof setInterval> | null = null;
  private next = 0;

  constructor(
    private readonly events: readonly RecordedEvent[],
    private readonly speed: number,
    private readonly handlers: ReplayHandlers,
  ) {
    if (!(speed > 0)) throw new RangeError(`replay speed must be positive, got ${speed}`);
  }

  play(): void {
    const t0 = performance.now();
    this.timer = setInterval(() => {
      const at = (performance.now() - t0) * this.speed;
      while (this.next < this.events.length && this.events[this.next].atMs <= at) this.handlers.onEvent(this.events[this.next++]);
      const done = this.next >= this.events.length;
      this.handlers.onProgress(done ? (this.events.at(-1)?.atMs ?? 0) : at, !done);
      if (done) this.stop();
    }, 25);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
