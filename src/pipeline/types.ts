import type { Observable } from 'rxjs';
import type { Condition } from '../scene/condition.ts';

/**
 * The live pipeline's contracts. Data flows one way:
 * source -> resample -> scene (condition held in a subject) -> windows ->
 * encoders (clean and degraded) -> probes/metrics -> sinks.
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
  /** Optional probe files (`earshot probe train`), matched to models by modelId. */
  probes: string[];
  condition: Condition;
  /** Window and hop per model default to the model's manifest; the window is also the span of each result. */
  hopS?: number;
  /** Windows kept for the rolling CKA. */
  ckaWindows: number;
}

/** Per-window numbers comparing clean and degraded. */
export interface WindowMetrics {
  /** Cosine similarity of the clean and degraded scene embeddings of the window. */
  cosine: number;
  /** 1 when the probe's top class is the same on both, else 0; null without a probe. */
  probeAgreement: number | null;
  /** degraded − clean probability per probe class; null without a probe. */
  classDeltas: number[] | null;
  /** Linear CKA between the clean and degraded embeddings of the last `ckaWindows` windows (null until 3 windows). */
  cka: number | null;
  /** Silero VAD speech probability of the clean window (max over its 32 ms chunks). */
  vadProbability: number | null;
  /** RMS level of the window, dBFS. */
  levelDbfs: { clean: number; degraded: number };
}

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
  probe: { id: string; classes: string[]; clean: number[]; degraded: number[] } | null;
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
}

export interface StreamStats {
  windows: number;
  dropped: number;
  /** window end -> sent, ms. */
  latencyMsP50: number;
  latencyMsP99: number;
}

/** A running stream. */
export interface LiveStream {
  readonly id: string;
  readonly config: StreamConfig;
  readonly results$: Observable<WindowResult>;
  readonly audio$: Observable<AudioFrame>;
  /** Change the scene; takes effect with a crossfade, no click. Validated like any condition. */
  setCondition(condition: Condition): Promise<void>;
  /** For `push` sources: feed mono samples at the declared rate. */
  push(samples: Float32Array): void;
  stats(): StreamStats;
  stop(): Promise<void>;
}
