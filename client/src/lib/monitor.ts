/** What the speakers play: nothing, the clean input or the degraded scene. */
export type ListenMode = 'off' | 'clean' | 'degraded';

/**
 * Plays the stream's audio frames through Web Audio as they arrive, each
 * scheduled right after the previous one behind a 120 ms jitter buffer. Frames
 * that arrive faster than real time (a file streamed unpaced) are dropped
 * rather than queued without end. The AudioContext is made on the first
 * `setMode` that is not 'off', which must come from a click (autoplay rules).
 */
export class Monitor {
  private ctx: AudioContext | null = null;
  private gain: GainNode | null = null;
  private next = 0;
  private mode: ListenMode = 'off';
  private clip: AudioBufferSourceNode | null = null;

  setMode(mode: ListenMode): void {
    this.mode = mode;
    if (mode === 'off') {
      void this.ctx?.suspend();
      return;
    }
    const ctx = this.context();
    void ctx.resume();
    this.next = 0;
  }

  /** Queue one frame (mono samples at `sampleRateHz`). */
  push(sampleRateHz: number, clean: Float32Array, degraded: Float32Array): void {
    if (this.mode === 'off' || !this.ctx || !this.gain || clean.length === 0) return;
    const ctx = this.ctx;
    const now = ctx.currentTime;
    if (this.next < now + 0.02) this.next = now + 0.12;
    if (this.next > now + 1.5) return;
    const buffer = ctx.createBuffer(1, clean.length, sampleRateHz);
    buffer.copyToChannel(Float32Array.from(this.mode === 'clean' ? clean : degraded), 0);
    const node = ctx.createBufferSource();
    node.buffer = buffer;
    node.connect(this.gain);
    node.start(this.next);
    this.next += buffer.duration;
  }

  /** Play a whole recording once (a saved session's clean or degraded track); ends any previous one. */
  playClip(sampleRateHz: number, samples: Float32Array): void {
    const ctx = this.context();
    void ctx.resume();
    this.stopClip();
    const buffer = ctx.createBuffer(1, samples.length, sampleRateHz);
    buffer.copyToChannel(Float32Array.from(samples), 0);
    const node = ctx.createBufferSource();
    node.buffer = buffer;
    node.connect(this.gain!);
    node.start();
    this.clip = node;
  }

  stopClip(): void {
    this.clip?.stop();
    this.clip = null;
  }

  close(): void {
    this.stopClip();
    void this.ctx?.close();
    this.ctx = null;
    this.gain = null;
  }

  private context(): AudioContext {
    if (!this.ctx) {
      this.ctx = new AudioContext();
      this.gain = this.ctx.createGain();
      // A degraded mix at low SNR runs hotter than the clean speech: leave headroom.
      this.gain.gain.value = 0.7;
      this.gain.connect(this.ctx.destination);
    }
    return this.ctx;
  }
}
