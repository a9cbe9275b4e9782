import type { Clip } from './api.ts';
import { CatalogStore } from './catalog.svelte.ts';
import { download, stamp } from './downloads.ts';
import { MIC_RATE_HZ, MicFeed, type MicStatus } from './micFeed.ts';
import { Monitor, type ListenMode } from './monitor.ts';
import { FRAME_AUDIO, encodeFrame, type Condition, type RunningStream, type ServerMsg, type SourceSpec, type StreamConfig, type SweepMsg, type WelcomeMsg } from './wire.ts';
import { Replayer } from './replayer.ts';
import { Recording } from './recording.svelte.ts';
import { EarshotSocket } from './socket.ts';
import { StreamView } from './streamView.svelte.ts';
import { Toasts, type Toast } from './toasts.svelte.ts';

export type Connection = 'connecting' | 'open' | 'closed';
/** `watching`: a stream another client started, attached read-only. */
export interface StreamInfo { id: string; config: StreamConfig; state: 'starting' | 'running' | 'stopped'; reason?: string; startedAtMs: number; watching?: boolean }
/** What a stream is started from, before the server has an id for it. */
export type SourceChoice = SourceSpec | { kind: 'browser-mic' };

const CONDITION_THROTTLE_MS = 120;

/**
 * The dashboard's one connection to earshot: the stream it starts or
 * watches, recording and replay, and the actions the components call. What
 * the panels show of the stream is a {@link StreamView}, the server's offer a
 * {@link CatalogStore}, the messages on screen {@link Toasts}; their fields
 * are read through getters here. Every field is `$state.raw`, replaced
 * (never edited) when a message arrives, so components re-render from fresh
 * snapshots. Recorded sessions replay through `ingest`, the same path live
 * messages take.
 */
export class Live {
  connection = $state.raw<Connection>('connecting');
  welcome = $state.raw<WelcomeMsg | null>(null);
  stream = $state.raw<StreamInfo | null>(null);
  /** The condition the server last confirmed for the stream, with its version. */
  applied = $state.raw<{ condition: Condition; version: number } | null>(null);
  rttMs = $state.raw<number | null>(null);
  mic = $state.raw<MicStatus | null>(null);
  listen = $state.raw<ListenMode>('off');
  replay = $state.raw<{ name: string; atMs: number; durationMs: number; playing: boolean } | null>(null);
  /** The streams running on the server (any client's), as last listed. */
  running = $state.raw<RunningStream[]>([]);
  /** Bumped each time the server refuses a condition change: the scene controls return to `applied`. */
  refusals = $state.raw(0);
  /** The probe settings in force. */
  probeSettings = $state.raw<{ wakeThreshold: number; probeSmooth: number }>({ wakeThreshold: 0.5, probeSmooth: 1 });
  private readonly toastList = new Toasts();
  private readonly catalogStore = new CatalogStore((err) => this.fail(err));
  private readonly view = new StreamView();

  private readonly socket = new EarshotSocket({
    onOpen: () => {
      this.connection = 'open';
      this.socket.send({ type: 'hello', client: 'earshot-dashboard' });
      void this.loadCatalog();
    },
    // Sweep progress is not part of a stream (nor of a recorded session): it goes to the sweep view.
    onMessage: (msg, data) => (msg.type === 'sweep' ? this.sweepListeners.forEach((l) => l(msg)) : this.ingest(msg, data, true)),
    onClose: (code, reason) => this.onClose(code, reason),
    onProblem: (err) => this.fail(err),
    onRtt: (ms) => (this.rttMs = ms),
  });
  private micFeed: MicFeed | null = null;
  private readonly monitor = new Monitor();
  /** Record what the server sends, save it, play it back. */
  readonly recording = new Recording(this.monitor, (code, message) => this.notify('error', code, message));
  private replayer: Replayer | null = null;
  private conditionTimer: ReturnType<typeof setTimeout> | null = null;
  private conditionSentAt = 0;
  private queuedCondition: Condition | null = null;
  private starts = 0;
  /** The id sent with the latest `start`: an `error` echoing it means that start failed. */
  private startId = '';
  /** Streams we stopped: their last frames, still in flight, are ignored. */
  private retired = new Set<string>();
  private readonly sweepListeners = new Set<(msg: SweepMsg) => void>();
  private conditionsSent = 0;
  /** Ids of the `condition` messages sent for the current stream: an `error` echoing one is a refused change. */
  private conditionIds = new Set<string>();

  get catalog() { return this.catalogStore.value; }
  get toasts(): Toast[] { return this.toastList.list; }
  get tracks() { return this.view.tracks; }
  get marks() { return this.view.marks; }
  get spectra() { return this.view.spectra; }
  get levels() { return this.view.levels; }
  get stats() { return this.view.stats; }
  get wake() { return this.view.wake; }
  /** Windows in the metrics log (what the CSV / NDJSON export holds). */
  get logged() { return this.view.logged; }

  /** Open the WebSocket (same origin, `/ws`, with the page's token); it reconnects on its own after a drop. */
  connect(): void {
    this.connection = 'connecting';
    this.socket.connect();
  }

  /** Hear every `sweep` message; returns the function that stops listening. */
  onSweep(listener: (msg: SweepMsg) => void): () => void {
    this.sweepListeners.add(listener);
    return () => this.sweepListeners.delete(listener);
  }

  close(): void {
    this.stopReplay();
    this.closeMic();
    this.monitor.close();
    this.socket.close();
  }

  async loadCatalog(): Promise<void> {
    await this.catalogStore.load(this.welcome?.models ?? []);
  }

  async upload(file: File): Promise<Clip | null> {
    const clip = await this.catalogStore.upload(file);
    if (clip) this.notify('info', 'UPLOADED', `uploaded ${file.name}`);
    return clip;
  }

  /** Start a stream (stopping ours first). The browser mic asks for permission before the server is asked. */
  async start(source: SourceChoice, rest: Omit<StreamConfig, 'source'>): Promise<void> {
    if (this.replay) this.stopReplay();
    if (this.stream && this.stream.state !== 'stopped') this.stop();
    this.resetView();
    let spec: SourceSpec = source as SourceSpec;
    if (source.kind === 'browser-mic') {
      try {
        this.micFeed = await MicFeed.open((status) => (this.mic = status));
      } catch (err) {
        this.fail(new Error(`the browser microphone is not available: ${(err as Error).message}`));
        return;
      }
      spec = { kind: 'push', sampleRateHz: MIC_RATE_HZ };
    }
    // Probe settings changed on the panel carry over to the next stream.
    const { wakeThreshold, probeSmooth } = this.probeSettings;
    const config: StreamConfig = { ...rest, source: spec, ...(wakeThreshold !== 0.5 ? { wakeThreshold } : {}), ...(probeSmooth !== 1 ? { probeSmooth } : {}) };
    this.stream = { id: '', config, state: 'starting', startedAtMs: Date.now() };
    this.startId = `start-${++this.starts}`;
    if (!this.socket.send({ type: 'start', config, id: this.startId })) {
      this.stream = { ...this.stream, state: 'stopped', reason: 'not connected' };
      this.closeMic();
      this.fail(new Error('not connected to the earshot server; retrying in the background'));
    }
  }

  stop(): void {
    if (this.stream?.id && this.stream.state !== 'stopped') {
      // A watched stream is left running: only this page stops listening.
      this.socket.send({ type: this.stream.watching ? 'unsubscribe' : 'stop', streamId: this.stream.id });
      this.retired.add(this.stream.id);
      if (this.stream.watching) this.stream = { ...this.stream, state: 'stopped', reason: 'detached; it runs on' };
    }
    if (this.stream) this.stream = { ...this.stream, state: 'stopped', reason: this.stream.reason ?? 'stopped' };
    this.closeMic();
  }

  /** Change the running stream's scene; sends at most one `condition` per 120 ms, always the latest. */
  setCondition(condition: Condition): void {
    if (!this.stream?.id || this.stream.state === 'stopped' || this.stream.watching || this.replay) return;
    this.queuedCondition = condition;
    if (this.conditionTimer) return;
    const wait = Math.max(0, this.conditionSentAt + CONDITION_THROTTLE_MS - Date.now());
    this.conditionTimer = setTimeout(() => {
      this.conditionTimer = null;
      const c = this.queuedCondition;
      this.queuedCondition = null;
      if (c && this.stream?.id) {
        this.conditionSentAt = Date.now();
        const id = `condition-${++this.conditionsSent}`;
        this.conditionIds.add(id);
        this.socket.send({ type: 'condition', streamId: this.stream.id, condition: c, id });
      }
    }, wait);
  }

  /** Change the running stream's wake-word threshold and/or probe smoothing (the server answers with `probeSettings`). */
  setProbeSettings(change: { wakeThreshold?: number; probeSmooth?: number }): void {
    if (this.stream?.watching && this.stream.state !== 'stopped') return; // read-only: another client's stream
    this.probeSettings = { ...this.probeSettings, ...change };
    if (this.stream?.id && this.stream.state !== 'stopped' && !this.replay) this.socket.send({ type: 'probeSettings', streamId: this.stream.id, ...change });
  }

  setListen(mode: ListenMode): void {
    try {
      this.monitor.setMode(mode);
      this.listen = mode;
    } catch (err) {
      this.fail(err);
    }
  }

  /** Replay a saved session file in the dashboard at `speed` times its recorded pace. */
  async replayFile(file: File, speed = 1): Promise<void> {
    try {
      const text = await file.text();
      this.stopReplay();
      if (this.stream && this.stream.state !== 'stopped') this.stop();
      this.resetView();
      const events = this.recording.load(text);
      this.replayer = new Replayer(events, speed, {
        onEvent: (e) => this.ingest(e.msg, e.data ?? null),
        onProgress: (atMs, playing) => (this.replay = { name: file.name, atMs, durationMs: events.at(-1)?.atMs ?? 0, playing }),
      });
      this.replay = { name: file.name, atMs: 0, durationMs: events.at(-1)?.atMs ?? 0, playing: true };
      this.replayer.play();
    } catch (err) {
      this.fail(err);
    }
  }

  /** End a replay: back to live, with no stream (the replayed one was never running here). */
  stopReplay(): void {
    if (!this.replay) return;
    this.replayer?.stop();
    this.replayer = null;
    this.replay = null;
    this.stream = null;
    this.resetView();
  }

  /** Ask the server which streams run now (answered by `streams`). */
  listStreams(): void {
    this.socket.send({ type: 'streams' });
  }

  /** Watch a stream another client started, read-only (this page's own stream, if any, stops first). */
  attach(stream: RunningStream): void {
    if (this.replay) this.stopReplay();
    if (this.stream && this.stream.state !== 'stopped') this.stop();
    this.resetView();
    this.retired.delete(stream.id);
    // Running once the server answers the subscribe with the condition in force; an error echoing startId means it is gone.
    this.stream = { id: stream.id, config: stream.config, state: 'starting', startedAtMs: stream.createdAtMs, watching: !stream.mine };
    this.startId = `attach-${++this.starts}`;
    if (!this.socket.send({ type: 'subscribe', streamId: stream.id, id: this.startId })) {
      this.stream = { ...this.stream, state: 'stopped', reason: 'not connected' };
      this.fail(new Error('not connected to the earshot server; retrying in the background'));
    }
  }

  /** Download the metrics of every window since the stream started (or was attached). */
  exportMetrics(format: 'csv' | 'ndjson'): void {
    if (this.view.log.length === 0) return this.notify('error', 'NO_RESULTS', 'no results to export yet: start or attach a stream first');
    const [text, type] = format === 'csv' ? [this.view.log.toCsv(), 'text/csv'] : [this.view.log.toNdjson(), 'application/x-ndjson'];
    download(new Blob([text], { type }), `earshot-metrics-${this.stream?.id.slice(0, 8) || 'stream'}-${stamp()}.${format}`);
  }

  /** A clip's display name: an upload's original file name rather than its server id. */
  clipName(path: string): string {
    return this.catalogStore.clipName(path);
  }

  dismiss(id: number): void {
    this.toastList.dismiss(id);
  }

  notify(level: Toast['level'], code: string, message: string): void {
    this.toastList.notify(level, code, message);
  }

  private fail(err: unknown): void {
    this.toastList.fail(err);
  }

  private onClose(code: number, reason: string): void {
    this.connection = 'closed';
    if (this.stream && this.stream.state !== 'stopped' && !this.replay) this.stream = { ...this.stream, state: 'stopped', reason: 'connection lost' };
    this.closeMic();
    if (code === 1008 || code === 1013) this.notify('error', `WS_${code}`, `the server closed the connection: ${reason || (code === 1008 ? 'too many bad messages' : 'this client fell too far behind')}`);
  }

  /** Apply one server message (live, or replayed from a session). */
  private ingest(msg: ServerMsg, data: Float32Array | null, live = false): void {
    // The list of running streams is about the server, not the stream shown: never recorded nor replayed.
    if (msg.type === 'streams') {
      if (live) this.running = msg.streams;
      return;
    }
    if (live && this.replay && msg.type !== 'welcome' && msg.type !== 'error') return;
    if ('streamId' in msg && msg.streamId && msg.type !== 'error') {
      if (live && this.retired.has(msg.streamId)) return;
      if (this.stream?.id && msg.streamId !== this.stream.id && msg.type !== 'started') return;
    }
    if (live) this.recording.add(msg, data);
    switch (msg.type) {
      case 'welcome':
        this.welcome = msg;
        this.catalogStore.welcome(msg.models);
        break;
      case 'started':
        if (!live) this.resetView();
        this.stream = { id: msg.streamId, config: msg.config, state: 'running', startedAtMs: Date.now() };
        this.applied = { condition: msg.config.condition, version: 0 };
        if (live && this.micFeed) {
          const streamId = msg.streamId;
          this.micFeed.start((block) => this.socket.send({ type: 'audio', streamId }, encodeFrame(FRAME_AUDIO, block)), () => this.socket.bufferedBytes);
        }
        break;
      case 'condition':
        this.applied = { condition: msg.condition, version: msg.conditionVersion };
        if (this.stream?.state === 'starting' && this.stream.id === msg.streamId) this.stream = { ...this.stream, state: 'running' };
        for (const w of msg.warnings ?? []) this.notify('info', 'WARNING', w);
        break;
      case 'result':
        if (data) this.view.result(msg, data);
        break;
      case 'audio':
        if (data) {
          const { clean, degraded } = this.view.audio(msg, data);
          this.monitor.push(msg.sampleRateHz, clean, degraded);
        }
        break;
      case 'stats':
        this.view.stats = msg;
        break;
      case 'probeSettings':
        this.probeSettings = { wakeThreshold: msg.wakeThreshold, probeSmooth: msg.probeSmooth };
        break;
      case 'stopped':
        if (this.stream) this.stream = { ...this.stream, state: 'stopped', reason: msg.reason };
        if (live) this.closeMic();
        break;
      case 'error':
        this.notify('error', msg.code, msg.message);
        // A refused change: the scene controls go back to the condition in force.
        if (live && typeof msg.id === 'string' && this.conditionIds.delete(msg.id)) this.refusals++;
        if (live && this.stream?.state === 'starting' && msg.id === this.startId) {
          this.stream = { ...this.stream, state: 'stopped', reason: msg.message };
          this.closeMic();
        }
        break;
    }
  }

  private closeMic(): void {
    this.micFeed?.close();
    this.micFeed = null;
  }

  private resetView(): void {
    this.view.reset();
    this.applied = null;
    this.mic = null;
    this.conditionIds.clear();
  }
}
