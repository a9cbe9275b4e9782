import type { Condition, ServerMsg } from './wire.ts';
import { parseSession, serializeSession, sessionAudio, type RecordedEvent } from './session.ts';
import type { StreamInfo } from './live.svelte.ts';
import { encodeWavFloat32 } from './wav.ts';

/** Recordings stop growing here (about 13 minutes of 16 kHz clean + degraded audio with one model). */
const MAX_BYTES = 512 * 1024 * 1024;

/**
 * Keeps what the server sends while recording: each message with its arrival
 * time (ms from the start) and its binary payload. A recording started in the
 * middle of a stream opens with that stream's `started` and `condition`, so a
 * replay knows the source, models and scene from its first frame.
 */
export class SessionRecorder {
  private list: RecordedEvent[] = [];
  private t0 = 0;
  private active = false;
  private bytes = 0;

  start(stream: StreamInfo | null, applied: { condition: Condition; version: number } | null): void {
    this.list = [];
    this.bytes = 0;
    this.t0 = performance.now();
    this.active = true;
    if (stream?.id) {
      this.add({ type: 'started', streamId: stream.id, config: stream.config }, null);
      if (applied) this.add({ type: 'condition', streamId: stream.id, condition: applied.condition, conditionVersion: applied.version, warnings: [] }, null);
    }
  }

  stop(): void {
    this.active = false;
  }

  add(msg: ServerMsg, data: Float32Array | null): void {
    if (!this.active || msg.type === 'pong' || msg.type === 'welcome') return;
    this.bytes += 200 + (data ? data.byteLength : 0);
    if (this.bytes > MAX_BYTES) {
      this.active = false;
      return;
    }
    this.list.push(data ? { atMs: performance.now() - this.t0, msg, data } : { atMs: performance.now() - this.t0, msg });
  }

  summary(): { active: boolean; events: number; durationMs: number; bytes: number } {
    return { active: this.active, events: this.list.length, durationMs: this.list.at(-1)?.atMs ?? 0, bytes: this.bytes };
  }

  events(): readonly RecordedEvent[] {
    return this.list;
  }

  /** Replace the recording with a saved session (throws, naming the problem, on a bad file). */
  load(text: string): void {
    const events = parseSession(text);
    this.list = events;
    this.active = false;
    this.bytes = events.reduce((n, e) => n + 200 + (e.data ? e.data.byteLength : 0), 0);
  }

  toBlob(): Blob {
    return new Blob([serializeSession(this.list)], { type: 'application/json' });
  }

  audio(): ReturnType<typeof sessionAudio> {
    return sessionAudio(this.list);
  }

  toWav(): Blob | null {
    const a = this.audio();
    return a ? encodeWavFloat32([a.clean, a.degraded], a.sampleRateHz) : null;
  }
}
