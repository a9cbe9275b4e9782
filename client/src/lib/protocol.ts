/**
 * earshot WebSocket protocol v1 (server/PROTOCOL.md), as the dashboard reads
 * and writes it: JSON text messages with `v` and `type`, each bulky payload in
 * ONE binary frame right after the JSON message that announces it.
 *
 * The condition type comes from the engine itself (a type import, erased at
 * build), so the scene controls cannot drift from the validator. The stream
 * config is the wire form the server takes (server/streams/wireConfig.ts): a
 * file source names a clip as GET /api/clips lists it, probes are probe ids.
 */
import type { Condition } from '../../../src/scene/condition.ts';
import type { SweepMessageEvent } from '../../../server/sweeps/events.ts';

export type { Condition, SweepMessageEvent };

export type SourceSpec =
  | { kind: 'file'; path: string; realtime: boolean; loop: boolean }
  | { kind: 'mic'; device?: string | number }
  | { kind: 'push'; sampleRateHz: number };

export interface StreamConfig {
  source: SourceSpec;
  models: string[];
  probes: string[];
  condition: Condition;
  hopS?: number;
  ckaWindows: number;
  wakeThreshold?: number;
  probeSmooth?: number;
}

/** Wake-word heads on one window (server/PROTOCOL.md, "Wake words in result"). */
export interface WakeWordOutput {
  probe: string;
  threshold: number;
  smooth: number;
  heads: { id: string; clean: number | null; degraded: number | null; detected: { clean: boolean; degraded: boolean } }[];
}

/** Per-window numbers comparing clean and degraded (src/pipeline/types.ts WindowMetrics). */
export interface WindowMetrics {
  cosine: number;
  probeAgreement: number | null;
  classDeltas: number[] | null;
  cka: number | null;
  vadProbability: number | null;
  levelDbfs: { clean: number; degraded: number };
}

export const PROTOCOL_VERSION = 1;

/** Binary frame kinds (16-byte header: "ESHT", kind, count, reserved; little-endian). */
export const FRAME_EMBEDDINGS = 1;
export const FRAME_AUDIO = 2;
const MAGIC = 0x54485345; // "ESHT" read as a little-endian uint32
const HEADER_BYTES = 16;

export interface ProbeOutput {
  id: string;
  classes: string[];
  clean: number[];
  degraded: number[];
  /** Windows the probabilities are averaged over (1: none). */
  smooth: number;
}

export interface WelcomeMsg { type: 'welcome'; server: string; version: string; protocol: number; models: string[]; streams: string[] }
export interface StartedMsg { type: 'started'; streamId: string; config: StreamConfig; id?: string | number }
export interface ResultMsg {
  type: 'result';
  streamId: string;
  model: string;
  seq: number;
  t0S: number;
  t1S: number;
  capturedAtMs: number;
  encodedAtMs: number;
  sentAtMs: number;
  conditionVersion: number;
  probe: ProbeOutput | null;
  /** Absent in sessions recorded before wake words: read as null. */
  wakeword?: WakeWordOutput | null;
  metrics: WindowMetrics;
  droppedTotal: number;
  embeddingDim: number;
}
/**
 * `degradedPeakDbfs` (floored at -120) and `degradedClippedSamples` (|x| > 1) measure the degraded
 * scene over all its channels, before the mono mix the binary frame carries; sessions recorded
 * before the server sent them lack them.
 */
export interface AudioMsg { type: 'audio'; streamId: string; t0S: number; sampleRateHz: number; samples: number; degradedPeakDbfs?: number; degradedClippedSamples?: number }
export interface ConditionMsg { type: 'condition'; streamId: string; condition: Condition; conditionVersion: number; warnings?: string[] }
export interface StatsMsg { type: 'stats'; streamId: string; windows: number; dropped: number; latencyMsP50: number; latencyMsP99: number; models?: Record<string, { windows: number; dropped: number }>; skipped?: number }
/** A running stream as `streams` (and GET /api/streams) lists it; `mine`: this connection started it. */
export interface RunningStream { id: string; owner: 'rest' | 'websocket'; mine?: boolean; config: StreamConfig; condition: Condition; conditionVersion: number; createdAtMs: number; subscribers: number }
export interface StreamsMsg { type: 'streams'; streams: RunningStream[]; id?: string | number }
export interface ProbeSettingsMsg { type: 'probeSettings'; streamId: string; wakeThreshold: number; probeSmooth: number }
export interface StoppedMsg { type: 'stopped'; streamId: string; reason: string }
/** `id` echoes the id of the client message that caused it, when that message had one. */
export interface ErrorMsg { type: 'error'; code: string; message: string; streamId?: string; id?: string | number }
export interface PongMsg { type: 'pong'; t: number }
/** Progress of a sweep started over the API (sent to every client). */
export interface SweepMsg { type: 'sweep'; sweepId: string; event: SweepMessageEvent }

export type ServerMsg = WelcomeMsg | StartedMsg | ResultMsg | AudioMsg | ConditionMsg | StatsMsg | StreamsMsg | StoppedMsg | ErrorMsg | PongMsg | SweepMsg | ProbeSettingsMsg;

/** Any client message may carry an `id`; the server echoes it in the `started`, `pong` or `error` it causes. */
export type ClientMsg = (
  | { type: 'hello'; client?: string }
  | { type: 'streams' }
  | { type: 'subscribe' | 'unsubscribe' | 'stop'; streamId: string }
  | { type: 'start'; config: StreamConfig }
  | { type: 'condition'; streamId: string; condition: Condition }
  | { type: 'probeSettings'; streamId: string; wakeThreshold?: number; probeSmooth?: number }
  | { type: 'audio'; streamId: string }
  | { type: 'ping'; t: number }
) & { id?: string | number };

/** Messages the server follows with one binary frame. */
export function announcesBinary(msg: ServerMsg): msg is ResultMsg | AudioMsg {
  return msg.type === 'result' || msg.type === 'audio';
}

/** JSON text for a client message, with the protocol version added. */
export function encodeMessage(msg: ClientMsg): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...msg });
}

/**
 * Parse a text frame. Throws an Error naming what is wrong (not JSON, no
 * type, another protocol version) so the caller can show it.
 */
export function parseMessage(text: string): ServerMsg {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`the server sent a text frame that is not JSON: ${text.slice(0, 80)}`);
  }
  if (value === null || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') {
    throw new Error(`the server sent a message without a type: ${text.slice(0, 80)}`);
  }
  const v = (value as { v?: unknown }).v;
  if (v !== undefined && v !== PROTOCOL_VERSION) throw new Error(`the server speaks protocol v${String(v)}; this dashboard speaks v${PROTOCOL_VERSION}`);
  return value as ServerMsg;
}

/**
 * Read a binary frame: check the header and return its float32 values (a view
 * when the platform is little-endian, as every browser is, else a copy).
 * Throws when the magic, kind or length is wrong.
 */
export function decodeFrame(buffer: ArrayBuffer, expectedKind: number): Float32Array {
  if (buffer.byteLength < HEADER_BYTES) throw new Error(`binary frame of ${buffer.byteLength} bytes is shorter than its 16-byte header`);
  const view = new DataView(buffer);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('binary frame does not start with "ESHT"');
  const kind = view.getUint32(4, true);
  if (kind !== expectedKind) throw new Error(`binary frame of kind ${kind} where kind ${expectedKind} was announced`);
  const count = view.getUint32(8, true);
  if (HEADER_BYTES + count * 4 !== buffer.byteLength) {
    throw new Error(`binary frame says ${count} values but carries ${(buffer.byteLength - HEADER_BYTES) / 4}`);
  }
  if (LITTLE_ENDIAN) return new Float32Array(buffer, HEADER_BYTES, count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(HEADER_BYTES + i * 4, true);
  return out;
}

/** A binary frame: 16-byte header then the values, little-endian. */
export function encodeFrame(kind: number, values: Float32Array): ArrayBuffer {
  const buffer = new ArrayBuffer(HEADER_BYTES + values.length * 4);
  const view = new DataView(buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, kind, true);
  view.setUint32(8, values.length, true);
  view.setUint32(12, 0, true);
  if (LITTLE_ENDIAN) new Float32Array(buffer, HEADER_BYTES).set(values);
  else for (let i = 0; i < values.length; i++) view.setFloat32(HEADER_BYTES + i * 4, values[i], true);
  return buffer;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
