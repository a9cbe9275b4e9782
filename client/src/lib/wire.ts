/**
 * earshot WebSocket protocol v1 (server/PROTOCOL.md) on the dashboard's side:
 * the message types are the server's own (server/protocol, TypeBox schemas
 * and their static types, imported as types and erased at build), so the two
 * ends cannot drift; this file holds what runs in the browser: encoding,
 * parsing and the binary frames.
 */
import type { Condition } from '../../../src/scene/condition.ts';
import type { WakeWordOutput } from '../../../src/pipeline/resultSchemas.ts';
import type { SweepMessageEvent } from '../../../server/sweeps/events.ts';
import type { ClientMessageToSend } from '../../../server/protocol/clientMessages.ts';
import type { ServerMessage, ServerMessageOf } from '../../../server/protocol/serverMessages.ts';
import type { StreamInfo } from '../../../server/protocol/rest.ts';
import type { SourceWire, StreamConfigWire } from '../../../server/protocol/streamConfig.ts';
import { FRAME_KIND, HEADER_BYTES, MAGIC as MAGIC_TEXT, PROTOCOL_VERSION } from '../../../server/protocol/constants.ts';

export type { Condition, SweepMessageEvent, WakeWordOutput };
export type StreamConfig = StreamConfigWire;
export type SourceSpec = SourceWire;
export type ClientMsg = ClientMessageToSend;
export type WelcomeMsg = ServerMessageOf<'welcome'>;

/** `M` with the fields `K` optional. */
type Since<M, K extends keyof M> = Omit<M, K> & Partial<Pick<M, K>>;
// Fields added within protocol v1 are missing from sessions recorded before them: the dashboard reads them as optional.
export type ResultMsg = Since<ServerMessageOf<'result'>, 'wakeword'>;
export type AudioMsg = Since<ServerMessageOf<'audio'>, 'degradedPeakDbfs' | 'degradedClippedSamples'>;
export type ConditionMsg = Since<ServerMessageOf<'condition'>, 'warnings'>;
/** A server message as the dashboard reads it, live or from a session file. */
export type ServerMsg = Exclude<ServerMessage, { type: 'result' | 'audio' | 'condition' }> | ResultMsg | AudioMsg | ConditionMsg;
export type StatsMsg = ServerMessageOf<'stats'>;
export type SweepMsg = ServerMessageOf<'sweep'>;
/** A running stream as `streams` lists it; `mine`: this connection started it. */
export type RunningStream = StreamInfo & { mine: boolean };

export const FRAME_EMBEDDINGS = FRAME_KIND.embeddings;
export const FRAME_AUDIO = FRAME_KIND.audio;
/** The magic ("ESHT") as the little-endian uint32 a header starts with. */
const MAGIC = new DataView(new TextEncoder().encode(MAGIC_TEXT).buffer).getUint32(0, true);

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
