import { download, stamp } from './downloads.ts';
import type { Monitor } from './monitor.ts';
import { SessionRecorder } from './recorder.ts';
import type { StreamInfo } from './live.svelte.ts';
import type { Condition, ServerMsg } from './wire.ts';

/**
 * The session recording: what the server sends while it runs, saved as JSON
 * or WAV, played back through the monitor, or loaded from a file for replay.
 * `summary` is replaced on every change; a recording without audio says so
 * in a toast (`notify`).
 */
export class Recording {
  summary = $state.raw<{ active: boolean; events: number; durationMs: number; bytes: number }>({ active: false, events: 0, durationMs: 0, bytes: 0 });
  private readonly recorder = new SessionRecorder();

  constructor(
    private readonly monitor: Monitor,
    private readonly notify: (code: string, message: string) => void,
  ) {}

  /** Start recording; the stream's start and the condition in force come first, so a replay can begin from them. */
  start(stream: StreamInfo | null, applied: { condition: Condition; version: number } | null): void {
    this.recorder.start(stream, applied);
    this.summary = this.recorder.summary();
  }

  stop(): void {
    this.recorder.stop();
    this.summary = this.recorder.summary();
  }

  /** Keep one live message (ignored unless recording). */
  add(msg: ServerMsg, data: Float32Array | null): void {
    this.recorder.add(msg, data);
    this.summary = this.recorder.summary();
  }

  /** Load a saved session in place of the recording; its events, for a replay. */
  load(text: string): ReturnType<SessionRecorder['events']> {
    this.recorder.load(text);
    this.summary = this.recorder.summary();
    return this.recorder.events();
  }

  /** Download the recording as one JSON file (embeddings and audio as base64 float32). */
  saveJson(): void {
    download(this.recorder.toBlob(), `earshot-session-${stamp()}.json`);
  }

  /** Download the recorded audio as a 2-channel float WAV: left clean, right degraded. */
  saveWav(): void {
    const wav = this.recorder.toWav();
    if (wav) download(wav, `earshot-session-${stamp()}.wav`);
    else this.notify('NO_AUDIO', 'the recording holds no audio yet');
  }

  /** Play the recording's clean or degraded track from the start. */
  play(which: 'clean' | 'degraded'): void {
    const audio = this.recorder.audio();
    if (!audio) return this.notify('NO_AUDIO', 'the recording holds no audio yet');
    this.monitor.playClip(audio.sampleRateHz, audio[which]);
  }

  stopPlayback(): void {
    this.monitor.stopClip();
  }
}
