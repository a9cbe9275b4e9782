import { api, pageToken, type BankEntry, type Clip, type ModelInfo, type ProbeInfo } from './api.ts';
import { levelDbfs } from './levels.ts';
import { MicCapture } from './mic.ts';
import { Monitor, type ListenMode } from './monitor.ts';
import {
  FRAME_AUDIO,
  FRAME_EMBEDDINGS,
  announcesBinary,
  decodeFrame,
  encodeFrame,
  encodeMessage,
  parseMessage,
  type AudioMsg,
  type ClientMsg,
  type Condition,
  type ResultMsg,
  type ServerMsg,
  type SourceSpec,
  type StatsMsg,
  type StreamConfig,
  type WelcomeMsg,
} from './protocol.ts';
import { Replayer } from './replayer.ts';
import { SessionRecorder } from './recorder.ts';
import { SpectrogramBuilder } from './spectrogram.ts';
import { ModelTrack, type TrackSnapshot } from './track.ts';

export type Connection = 'connecting' | 'open' | 'closed';
export interface Toast { id: number; level: 'error' | 'info'; code: string; message: string }
export interface StreamInfo { id: string; config: StreamConfig; state: 'starting' | 'running' | 'stopped'; reason?: string; startedAtMs: number }
export interface Catalog { models: ModelInfo[]; probes: ProbeInfo[]; clips: Clip[]; rirs: BankEntry[]; noises: BankEntry[] }
export interface Levels { clean: { rmsDb: number; peakDb: number }; degraded: { rmsDb: number; peakDb: number } }
/** Spectrogram columns in a ring the canvases read; `total` counts every column ever added. */
export interface Spectra { total: number; clean: Float32Array[]; degraded: Float32Array[]; bins: number; columnS: number; sampleRateHz: number }
export interface ConditionMark { t: number; version: number }
/** What a stream is started from, before the server has an id for it. */
export type SourceChoice = SourceSpec | { kind: 'browser-mic' };

const SPECTRA_RING = 4096;
const MIC_RATE_HZ = 16000;
const MIC_SEND_SAMPLES = 1600; // 100 ms per `audio` message
const MAX_BUFFERED_BYTES = 1 << 20;
const CONDITION_THROTTLE_MS = 120;

/**
 * The dashboard's one connection to earshot and everything it shows. Every
 * field is `$state.raw`, replaced (never edited) when a message arrives, so
 * components re-render from fresh snapshots; the methods are the actions the
 * components call. Recorded sessions replay through `ingest`, the same path
 * live messages take.
 */
export class Live {
  connection = $state.raw<Connection>('connecting');
  welcome = $state.raw<WelcomeMsg | null>(null);
  catalog = $state.raw<Catalog>({ models: [], probes: [], clips: [], rirs: [], noises: [] });
  stream = $state.raw<StreamInfo | null>(null);
  /** The condition the server last confirmed for the stream, with its version. */
  applied = $state.raw<{ condition: Condition; version: number } | null>(null);
  marks = $state.raw<ConditionMark[]>([]);
  tracks = $state.raw<Record<string, TrackSnapshot>>({});
  spectra = $state.raw<Spectra | null>(null);
  levels = $state.raw<Levels | null>(null);
  stats = $state.raw<StatsMsg | null>(null);
  rttMs = $state.raw<number | null>(null);
  toasts = $state.raw<Toast[]>([]);
  mic = $state.raw<{ label: string; inputRateHz: number; sentS: number; droppedBlocks: number } | null>(null);
  listen = $state.raw<ListenMode>('off');
  recording = $state.raw<{ active: boolean; events: number; durationMs: number; bytes: number }>({ active: false, events: 0, durationMs: 0, bytes: 0 });
  replay = $state.raw<{ name: string; atMs: number; durationMs: number; playing: boolean } | null>(null);

  private ws: WebSocket | null = null;
  private pending: ResultMsg | AudioMsg | null = null;
  private trackers = new Map<string, ModelTrack>();
  private spectro: { clean: SpectrogramBuilder; degraded: SpectrogramBuilder; rateHz: number } | null = null;
  private ring: { clean: Float32Array[]; degraded: Float32Array[]; total: number } = { clean: [], degraded: [], total: 0 };
  private lastVersion = -1;
  private micCapture: MicCapture | null = null;
  private micQueue: Float32Array[] = [];
  private micQueued = 0;
  private readonly monitor = new Monitor();
  private readonly recorder = new SessionRecorder();
  private replayer: Replayer | null = null;
  private conditionTimer: ReturnType<typeof setTimeout> | null = null;
  private conditionSentAt = 0;
  private queuedCondition: Condition | null = null;
  private reconnectMs = 500;
  private closed = false;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private toastId = 0;
  private starts = 0;
  /** The id sent with the latest `start`: an `error` echoing it means that start failed. */
  private startId = '';
  /** Streams we stopped: their last frames, still in flight, are ignored. */
  private retired = new Set<string>();

  /** Open the WebSocket (same origin, `/ws`, passing the page's token) and reconnect when it drops. */
  connect(): void {
    this.closed = false;
    const url = new URL('ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    const token = pageToken();
    if (token) url.searchParams.set('token', token);
    this.connection = 'connecting';
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.connection = 'open';
      this.reconnectMs = 500;
      this.send({ type: 'hello', client: 'earshot-dashboard' });
      this.pingTimer = setInterval(() => this.send({ type: 'ping', t: performance.now() }), 2000);
      void this.loadCatalog();
    };
    ws.onmessage = (e: MessageEvent<string | ArrayBuffer>) => this.receive(e.data);
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.connection = 'closed';
      if (this.pingTimer) clearInterval(this.pingTimer);
      if (this.stream && this.stream.state !== 'stopped' && !this.replay) this.stream = { ...this.stream, state: 'stopped', reason: 'connection lost' };
      this.closeMic();
      if (e.code === 1008 || e.code === 1013) this.notify('error', `WS_${e.code}`, `the server closed the connection: ${e.reason || (e.code === 1008 ? 'policy violation' : 'client too far behind')}`);
      if (!this.closed) {
        setTimeout(() => this.connect(), this.reconnectMs);
        this.reconnectMs = Math.min(this.reconnectMs * 2, 8000);
      }
    };
  }

  close(): void {
    this.closed = true;
    this.stopReplay();
    this.closeMic();
    this.monitor.close();
    this.ws?.close();
  }

  async loadCatalog(): Promise<void> {
    const tries = await Promise.allSettled([api.models(), api.probes(), api.clips(), api.rirs(), api.noises()]);
    const [models, probes, clips, rirs, noises] = tries.map((t) => (t.status === 'fulfilled' ? t.value : null));
    const failed = tries.find((t): t is PromiseRejectedResult => t.status === 'rejected');
    if (failed) this.fail(failed.reason);
    this.catalog = {
      models: (models as ModelInfo[] | null) ?? (this.welcome?.models ?? []).map((id) => ({ id })),
      probes: (probes as ProbeInfo[] | null) ?? [],
      clips: (clips as Clip[] | null) ?? [],
      rirs: (rirs as BankEntry[] | null) ?? [],
      noises: (noises as BankEntry[] | null) ?? [],
    };
  }

  async upload(file: File): Promise<Clip | null> {
    try {
      const clip = await api.upload(file);
      this.catalog = { ...this.catalog, clips: [...this.catalog.clips.filter((c) => c.path !== clip.path), clip] };
      this.notify('info', 'UPLOADED', `uploaded ${file.name}`);
      return clip;
    } catch (err) {
      this.fail(err);
      return null;
    }
  }

  /** Start a stream (stopping ours first). The browser mic asks for permission before the server is asked. */
  async start(source: SourceChoice, rest: Omit<StreamConfig, 'source'>): Promise<void> {
    if (this.replay) this.stopReplay();
    if (this.stream && this.stream.state !== 'stopped') this.stop();
    this.resetView();
    let spec: SourceSpec = source as SourceSpec;
    if (source.kind === 'browser-mic') {
      try {
        this.micCapture = await MicCapture.open(MIC_RATE_HZ);
      } catch (err) {
        this.fail(new Error(`the browser microphone is not available: ${(err as Error).message}`));
        return;
      }
      this.mic = { label: this.micCapture.label, inputRateHz: this.micCapture.inputRateHz, sentS: 0, droppedBlocks: 0 };
      spec = { kind: 'push', sampleRateHz: MIC_RATE_HZ };
    }
    const config: StreamConfig = { ...rest, source: spec };
    this.stream = { id: '', config, state: 'starting', startedAtMs: Date.now() };
    this.startId = `start-${++this.starts}`;
    if (!this.send({ type: 'start', config, id: this.startId })) {
      this.stream = { ...this.stream, state: 'stopped', reason: 'not connected' };
      this.closeMic();
      this.fail(new Error('not connected to the earshot server; retrying in the background'));
    }
  }

  stop(): void {
    if (this.stream?.id && this.stream.state !== 'stopped') {
      this.send({ type: 'stop', streamId: this.stream.id });
      this.retired.add(this.stream.id);
    }
    if (this.stream) this.stream = { ...this.stream, state: 'stopped', reason: this.stream.reason ?? 'stopped' };
    this.closeMic();
  }

  /** Change the running stream's scene; sends at most one `condition` per 120 ms, always the latest. */
  setCondition(condition: Condition): void {
    if (!this.stream?.id || this.stream.state === 'stopped' || this.replay) return;
    this.queuedCondition = condition;
    if (this.conditionTimer) return;
    const wait = Math.max(0, this.conditionSentAt + CONDITION_THROTTLE_MS - Date.now());
    this.conditionTimer = setTimeout(() => {
      this.conditionTimer = null;
      const c = this.queuedCondition;
      this.queuedCondition = null;
      if (c && this.stream?.id) {
        this.conditionSentAt = Date.now();
        this.send({ type: 'condition', streamId: this.stream.id, condition: c });
      }
    }, wait);
  }

  setListen(mode: ListenMode): void {
    try {
      this.monitor.setMode(mode);
      this.listen = mode;
    } catch (err) {
      this.fail(err);
    }
  }

  startRecording(): void {
    this.recorder.start(this.stream, this.applied);
    this.recording = this.recorder.summary();
  }

  stopRecording(): void {
    this.recorder.stop();
    this.recording = this.recorder.summary();
  }

  /** Download the recording as one JSON file (embeddings and audio as base64 float32). */
  saveSession(): void {
    download(this.recorder.toBlob(), `earshot-session-${stamp()}.json`);
  }

  /** Download the recorded audio as a 2-channel float WAV: left clean, right degraded. */
  saveWav(): void {
    const wav = this.recorder.toWav();
    if (wav) download(wav, `earshot-session-${stamp()}.wav`);
    else this.notify('error', 'NO_AUDIO', 'the recording holds no audio yet');
  }

  /** Play the recording's clean or degraded track from the start. */
  playRecording(which: 'clean' | 'degraded'): void {
    const audio = this.recorder.audio();
    if (!audio) return this.notify('error', 'NO_AUDIO', 'the recording holds no audio yet');
    this.monitor.playClip(audio.sampleRateHz, audio[which]);
  }

  stopPlayback(): void {
    this.monitor.stopClip();
  }

  /** Replay a saved session file in the dashboard at `speed` times its recorded pace. */
  async replayFile(file: File, speed = 1): Promise<void> {
    try {
      const text = await file.text();
      this.stopReplay();
      if (this.stream && this.stream.state !== 'stopped') this.stop();
      this.resetView();
      this.recorder.load(text);
      this.recording = this.recorder.summary();
      const events = this.recorder.events();
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

  stopReplay(): void {
    this.replayer?.stop();
    this.replayer = null;
    this.replay = null;
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  notify(level: Toast['level'], code: string, message: string): void {
    const toast = { id: ++this.toastId, level, code, message };
    this.toasts = [...this.toasts.slice(-4), toast];
    setTimeout(() => this.dismiss(toast.id), level === 'error' ? 9000 : 4000);
  }

  private fail(err: unknown): void {
    const e = err as { code?: string; message?: string };
    this.notify('error', e.code ?? 'ERROR', e.message ?? String(err));
  }

  private send(msg: ClientMsg, binary?: ArrayBuffer): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(encodeMessage(msg));
    if (binary) ws.send(binary);
    return true;
  }

  private receive(data: string | ArrayBuffer): void {
    try {
      if (typeof data === 'string') {
        if (this.pending) {
          this.pending = null;
          throw new Error('the server sent a message where a binary frame was announced; that result is dropped');
        }
        const msg = parseMessage(data);
        if (announcesBinary(msg)) this.pending = msg;
        else this.ingest(msg, null, true);
        return;
      }
      const msg = this.pending;
      this.pending = null;
      if (!msg) throw new Error('the server sent a binary frame nobody announced');
      this.ingest(msg, decodeFrame(data, msg.type === 'result' ? FRAME_EMBEDDINGS : FRAME_AUDIO), true);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Apply one server message (live, or replayed from a session). */
  private ingest(msg: ServerMsg, data: Float32Array | null, live = false): void {
    if (live && this.replay && msg.type !== 'welcome' && msg.type !== 'pong' && msg.type !== 'error') return;
    if ('streamId' in msg && msg.streamId && msg.type !== 'error') {
      if (live && this.retired.has(msg.streamId)) return;
      if (this.stream?.id && msg.streamId !== this.stream.id && msg.type !== 'started') return;
    }
    if (live) this.recorder.add(msg, data);
    switch (msg.type) {
      case 'welcome':
        this.welcome = msg;
        if (this.catalog.models.length === 0) this.catalog = { ...this.catalog, models: msg.models.map((id) => ({ id })) };
        break;
      case 'started':
        if (!live) this.resetView();
        this.stream = { id: msg.streamId, config: msg.config, state: 'running', startedAtMs: Date.now() };
        this.applied = { condition: msg.config.condition, version: 0 };
        if (live && this.micCapture) this.startMicFeed(msg.streamId);
        break;
      case 'condition':
        this.applied = { condition: msg.condition, version: msg.conditionVersion };
        break;
      case 'result':
        if (data) this.onResult(msg, data);
        break;
      case 'audio':
        if (data) this.onAudio(msg, data);
        break;
      case 'stats':
        this.stats = msg;
        break;
      case 'stopped':
        if (this.stream) this.stream = { ...this.stream, state: 'stopped', reason: msg.reason };
        if (live) this.closeMic();
        break;
      case 'error':
        this.notify('error', msg.code, msg.message);
        if (live && this.stream?.state === 'starting' && msg.id === this.startId) {
          this.stream = { ...this.stream, state: 'stopped', reason: msg.message };
          this.closeMic();
        }
        break;
      case 'pong':
        this.rttMs = performance.now() - msg.t;
        break;
    }
    if (live) this.recording = this.recorder.summary();
  }

  private onResult(r: ResultMsg, data: Float32Array): void {
    const dim = r.embeddingDim;
    let track = this.trackers.get(r.model);
    if (!track) this.trackers.set(r.model, (track = new ModelTrack(r.model)));
    const snap = track.push(r, data.slice(0, dim), data.slice(dim, 2 * dim), Date.now());
    this.tracks = { ...this.tracks, [r.model]: snap };
    if (r.conditionVersion !== this.lastVersion) {
      if (this.lastVersion >= 0) this.marks = [...this.marks, { t: r.t1S, version: r.conditionVersion }];
      this.lastVersion = r.conditionVersion;
    }
  }

  private onAudio(a: AudioMsg, data: Float32Array): void {
    const clean = data.subarray(0, a.samples);
    const degraded = data.subarray(a.samples, 2 * a.samples);
    if (!this.spectro || this.spectro.rateHz !== a.sampleRateHz) {
      this.spectro = { clean: new SpectrogramBuilder(), degraded: new SpectrogramBuilder(), rateHz: a.sampleRateHz };
    }
    const c = this.spectro.clean.push(clean);
    const d = this.spectro.degraded.push(degraded);
    const ring = this.ring;
    ring.clean.push(...c);
    ring.degraded.push(...d);
    ring.total += c.length;
    if (ring.clean.length > SPECTRA_RING) {
      ring.clean.splice(0, ring.clean.length - SPECTRA_RING);
      ring.degraded.splice(0, ring.degraded.length - SPECTRA_RING);
    }
    const b = this.spectro.clean;
    this.spectra = { total: ring.total, clean: ring.clean, degraded: ring.degraded, bins: b.bins, columnS: b.options.hopSize / a.sampleRateHz, sampleRateHz: a.sampleRateHz };
    this.levels = { clean: levelDbfs(clean), degraded: levelDbfs(degraded) };
    this.monitor.push(a.sampleRateHz, clean, degraded);
  }

  private startMicFeed(streamId: string): void {
    const mic = this.micCapture;
    if (!mic) return;
    mic.onSamples = (samples) => {
      this.micQueue.push(samples);
      this.micQueued += samples.length;
      if (this.micQueued < MIC_SEND_SAMPLES) return;
      const block = new Float32Array(this.micQueued);
      let at = 0;
      for (const s of this.micQueue) {
        block.set(s, at);
        at += s.length;
      }
      this.micQueue = [];
      this.micQueued = 0;
      const info = this.mic;
      if (!info) return;
      if ((this.ws?.bufferedAmount ?? 0) > MAX_BUFFERED_BYTES) {
        this.mic = { ...info, droppedBlocks: info.droppedBlocks + 1 };
        return;
      }
      if (this.send({ type: 'audio', streamId }, encodeFrame(FRAME_AUDIO, block))) this.mic = { ...info, sentS: info.sentS + block.length / MIC_RATE_HZ };
    };
  }

  private closeMic(): void {
    this.micCapture?.close();
    this.micCapture = null;
    this.micQueue = [];
    this.micQueued = 0;
  }

  private resetView(): void {
    this.pending = null;
    this.trackers.clear();
    this.tracks = {};
    this.marks = [];
    this.lastVersion = -1;
    this.spectro = null;
    this.ring = { clean: [], degraded: [], total: 0 };
    this.spectra = null;
    this.levels = null;
    this.stats = null;
    this.applied = null;
    this.mic = null;
  }
}

function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
}
