import type { Observable, SchedulerLike } from '../rxjs.ts';
import type { AudioChunk } from '../audio/types.ts';
import type { Encoder, GraphLoader } from '../encoders/types.ts';
import type { ModelRegistry } from '../encoders/registry.ts';
import type { Condition } from '../scene/condition.ts';
import type { SceneBanks } from '../scene/render.ts';
import type { ProbeOutput, WakeWordOutput, WindowMetrics } from './resultSchemas.ts';
import type { PrepareOptions } from '../scene/prepare.ts';

/**
 * The live pipeline's contracts. Data flows one way:
 * source -> resample -> scene (condition held in a subject) -> windows ->
 * encoders (clean and degraded) -> probes/metrics -> sinks (a server
 * resamples and renders each stream's scene on a thread of its own).
 */

/** Where live audio comes from. */
export type SourceSpec =
  /** A file from the banks, the shipped clips or uploads; `realtime` paces it at 1x (live demo), else as fast as the encoders take it (no drops). */
  | { kind: 'file'; path: string; realtime: boolean; loop: boolean }
  /** The server's microphone through naudiodon2 (device by name or index; default device when absent). */
  | { kind: 'mic'; device?: string | number }
  /** Chunks pushed by the caller (the browser microphone over the WebSocket). */
  | { kind: 'push'; sampleRateHz: number };

export interface StreamConfig {
  source: SourceSpec;
  /** Model ids (see `earshot models`); each gets its own windows and results. */
  models: string[];
  /**
   * Probes by id or path (src/probes/resolveProbe.ts): linear probes (`earshot probe train`), matched to
   * models by modelId, and wake-word probe manifests (`oww-wakeword`), whose heads read the speech embedding.
   */
  probes: string[];
  condition: Condition;
  /**
   * Window and hop per model default to the model's manifest; the window is also the span of each result.
   * Live floors (src/pipeline/streamConfig.ts): a window is at least 0.5 s (frame-level models such as
   * naive-logmel declare 25 ms), and the default hop is max(manifest hop, 80 ms, window / 10), since a
   * manifest's hop is its frame hop (20 ms for wav2vec2). `hopS` overrides the hop of every model.
   */
  hopS?: number;
  /** Windows kept for the rolling CKA (3..1024). */
  ckaWindows: number;
  /** Run Silero VAD on the clean signal for `vadProbability` (default true; one small ONNX call per 96 ms of audio). */
  vad?: boolean;
  /** Wake-word detection threshold on head scores, 0..1 (default {@link DEFAULT_WAKE_THRESHOLD}); changed live with LiveStream.setProbeSettings. */
  wakeThreshold?: number;
  /** Moving average of probe outputs (class probabilities, wake-word scores) over this many windows, 1..64 (default 1: none). */
  probeSmooth?: number;
}

/** A wake-word head fires when its score reaches this (openWakeWord's default). */
export const DEFAULT_WAKE_THRESHOLD = 0.5;

/** How probe outputs are read, changeable while a stream runs. */
export interface ProbeSettings {
  wakeThreshold: number;
  probeSmooth: number;
}

export type { ProbeOutput, WakeWordOutput, WindowMetrics } from './resultSchemas.ts';

/** One result per model per window. */
export interface WindowResult {
  streamId: string;
  model: string;
  /** Counts windows of this model from 0. */
  seq: number;
  /** Window span in stream time, seconds. */
  t0S: number;
  t1S: number;
  /** Wall-clock ms (Date.now()): the window's last sample captured, encoded, and handed to sinks. */
  capturedAtMs: number;
  encodedAtMs: number;
  sentAtMs: number;
  /** Version of the condition the degraded audio was rendered with (increments on each change). */
  conditionVersion: number;
  clean: Float32Array;
  degraded: Float32Array;
  /** Class probabilities of the linear probe on this model, averaged over the last `smooth` windows (1: this window alone). */
  probe: ProbeOutput | null;
  /** Wake-word heads of a wake-word probe on this model (null without one). */
  wakeword: WakeWordOutput | null;
  metrics: WindowMetrics;
  /** Windows dropped so far by this stream for this model (live sources only). */
  droppedTotal: number;
}

/** A short stretch of audio for level meters, spectrograms and playback. */
export interface AudioFrame {
  streamId: string;
  t0S: number;
  sampleRateHz: number;
  clean: Float32Array;
  /** The degraded scene mixed down to mono (the dashboard shows and plays this). */
  degraded: Float32Array;
  /** Peak of the degraded scene over all its channels (before the mono mix), dBFS, floored at -120 for silence; above 0 it is past full scale. */
  degradedPeakDbfs: number;
  /** Samples of the degraded scene, all channels, beyond full scale (|x| > 1) in this frame. */
  degradedClippedSamples: number;
}

export interface StreamStats {
  windows: number;
  dropped: number;
  /** window end -> sent, ms (over the last 1024 results; 0 before the first). */
  latencyMsP50: number;
  latencyMsP99: number;
  /** Main-thread time this stream's pipeline has taken so far, ms (work run in worker threads excluded). */
  mainThreadMs?: number;
  /** Time this stream's scene thread has worked so far (resampling and rendering), ms (present when the scene renders on a thread of its own, as in the server). */
  sceneThreadMs?: number;
  /** The same counts per model id. */
  models?: Record<string, { windows: number; dropped: number }>;
}

/**
 * A running stream (src/pipeline/liveStream.ts `createLiveStream`). Hot: audio
 * starts on the scheduler turn after createLiveStream resolves, so subscribe
 * right after awaiting it; late subscribers see only what comes next.
 */
/** A condition as a live stream applies it (see `LiveStream.condition$`). */
export interface AppliedCondition {
  condition: Condition;
  conditionVersion: number;
  warnings: string[];
}

export interface LiveStream {
  readonly id: string;
  readonly config: StreamConfig;
  /** One result per model per window; completes at the end of a file (or on stop()), errors if the pipeline fails (then the stream is over). */
  readonly results$: Observable<WindowResult>;
  /** ~100 ms frames of the clean signal and the degraded scene's mono mix; completes with results$. */
  readonly audio$: Observable<AudioFrame>;
  /** The condition in force and its version: the current one on subscribe, then each change as it starts to play. */
  /** The condition in force, its version, and what preparing its scene warned about (e.g. a source below the HRTF's measured elevations). */
  readonly condition$: Observable<AppliedCondition>;
  /**
   * Change the scene: prepared off the audio path, then crossfaded in (50 ms, no click) from the next chunk,
   * conditionVersion + 1. Rejects (EARSHOT_INVALID_CONDITION, EARSHOT_UNKNOWN_ID, ...) and leaves the old
   * scene playing when the condition is bad or does not fit a model's channels; a newer call supersedes an
   * older one still being prepared (that one resolves without playing).
   */
  setCondition(condition: Condition): Promise<void>;
  /** The probe settings in force: the config's, then each change. */
  readonly probeSettings$: Observable<ProbeSettings>;
  /** Change the wake-word threshold and/or the smoothing from the next window (EARSHOT_INVALID_OPTION when out of range). */
  setProbeSettings(settings: Partial<ProbeSettings>): ProbeSettings;
  /** For `push` sources: feed mono samples at the declared rate (non-finite samples become 0). Throws for other sources. */
  push(samples: Float32Array): void;
  stats(): StreamStats;
  /** Tear down: source, timers, convolvers, VAD; results$ and audio$ complete. Idempotent. */
  stop(): Promise<void>;
}

/** What createLiveStream needs from its host: one pool, one pair of banks and one model registry per process. */
export interface LiveStreamDeps {
  /** The process's ONNX worker pool (an OnnxPool), shared by every stream. */
  pool: GraphLoader;
  banks: SceneBanks;
  models: ModelRegistry;
  /** Encoders to use instead of opening them from the registry, by model id (tests wrap one with a delay). */
  encoders?: Record<string, Encoder>;
  /** Timers and clocks (default: asyncScheduler, i.e. setInterval and Date.now). */
  scheduler?: SchedulerLike;
  /** Where the stream's few notices go (default: nowhere). */
  log?: (line: string) => void;
  /** The room simulator for condition changes (default: in this thread; a server passes one that runs on a task thread). */
  simulateRir?: PrepareOptions['simulateRir'];
  /** Resample the source and render the scene on a thread of the stream's own (renderSceneOffThread; same output), as a server does so that no stream's scene holds its event loop. Default false. */
  renderOffThread?: boolean;
}

// ---- What flows between the operators of src/pipeline ----

/** Source audio: mono, at the source's rate, with the wall-clock time its last sample was captured. */
export interface SourceChunk extends AudioChunk {
  capturedAtMs: number;
}

/** One chunk through the scene, at the models' rate. */
export interface SceneChunk {
  /** Index of the chunk's first sample in the stream. */
  startSample: number;
  sampleRateHz: number;
  capturedAtMs: number;
  /** The condition version whose scene was playing (or fading in) at the chunk's end. */
  conditionVersion: number;
  /** The levelled dry source, mono: what "clean" means live (see src/scene/streamingScene.ts). */
  clean: Float32Array;
  /** The scene, one array per receiver channel. */
  degraded: Float32Array[];
}

/** A window of one model, cut from the scene. */
export interface AudioWindow {
  model: string;
  seq: number;
  startSample: number;
  t0S: number;
  t1S: number;
  /** Wall-clock time its last sample was captured. */
  capturedAtMs: number;
  conditionVersion: number;
  /** Fitted to the model's channel count. */
  clean: Float32Array[];
  degraded: Float32Array[];
}

/** A window with its two scene embeddings. */
export interface EncodedWindow extends AudioWindow {
  cleanEmbedding: Float32Array;
  degradedEmbedding: Float32Array;
  encodedAtMs: number;
  /** Windows of this model dropped so far, when this one was encoded. */
  droppedTotal: number;
}

/** An encoded window with its probe predictions. */
export interface ProbedWindow extends EncodedWindow {
  probe: WindowResult['probe'];
  wakeword: WakeWordOutput | null;
}

/** The two embeddings of one window. */
export interface WindowEmbeddings {
  clean: Float32Array;
  degraded: Float32Array;
}
