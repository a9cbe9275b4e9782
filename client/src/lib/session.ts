import type { ServerMsg } from './wire.ts';

/**
 * Recorded sessions: every message the server sent (conditions, results,
 * audio, stats, errors) with its arrival time and its binary payload, saved
 * as one JSON file (payloads as base64 little-endian float32) that the
 * dashboard replays through the same code path as a live stream.
 */

export const SESSION_FORMAT = 'earshot-session';
export const SESSION_VERSION = 1;

export interface RecordedEvent {
  /** ms since the recording started. */
  atMs: number;
  msg: ServerMsg;
  /** The binary frame's values (embeddings or audio), when the message announced one. */
  data?: Float32Array;
}

export interface SessionFile {
  format: typeof SESSION_FORMAT;
  version: typeof SESSION_VERSION;
  savedAt: string;
  durationMs: number;
  events: { atMs: number; msg: ServerMsg; data?: string }[];
}

export function serializeSession(events: readonly RecordedEvent[], savedAt = new Date()): string {
  const file: SessionFile = {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    savedAt: savedAt.toISOString(),
    durationMs: events.length ? events[events.length - 1].atMs : 0,
    events: events.map((e) => (e.data ? { atMs: e.atMs, msg: e.msg, data: float32ToBase64(e.data) } : { atMs: e.atMs, msg: e.msg })),
  };
  return JSON.stringify(file);
}

/** Read a saved session; throws an Error saying what is wrong with the file. */
export function parseSession(text: string): RecordedEvent[] {
  let file: Partial<SessionFile>;
  try {
    file = JSON.parse(text) as Partial<SessionFile>;
  } catch {
    throw new Error('this file is not JSON, so not an earshot session');
  }
  if (file?.format !== SESSION_FORMAT) throw new Error(`this JSON file is not an earshot session (format is ${JSON.stringify(file?.format)}, expected "${SESSION_FORMAT}")`);
  if (file.version !== SESSION_VERSION) throw new Error(`session version ${String(file.version)} is not supported (this dashboard reads version ${SESSION_VERSION})`);
  if (!Array.isArray(file.events)) throw new Error('the session has no events list');
  return file.events.map((e, i) => {
    if (typeof e?.atMs !== 'number' || typeof e.msg?.type !== 'string') throw new Error(`session event ${i} has no atMs or message type`);
    return e.data === undefined ? { atMs: e.atMs, msg: e.msg } : { atMs: e.atMs, msg: e.msg, data: base64ToFloat32(e.data) };
  });
}

/** The recorded audio, frames in arrival order: clean and degraded (mono mix). Null when none was recorded. */
export function sessionAudio(events: readonly RecordedEvent[]): { sampleRateHz: number; clean: Float32Array; degraded: Float32Array } | null {
  const frames = events.filter((e) => e.msg.type === 'audio' && e.data);
  if (frames.length === 0) return null;
  const sampleRateHz = (frames[0].msg as { sampleRateHz: number }).sampleRateHz;
  const total = frames.reduce((n, e) => n + e.data!.length / 2, 0);
  const clean = new Float32Array(total);
  const degraded = new Float32Array(total);
  let at = 0;
  for (const e of frames) {
    const half = e.data!.length / 2;
    clean.set(e.data!.subarray(0, half), at);
    degraded.set(e.data!.subarray(half), at);
    at += half;
  }
  return { sampleRateHz, clean, degraded };
}

export function float32ToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

export function base64ToFloat32(text: string): Float32Array {
  const binary = atob(text);
  if (binary.length % 4 !== 0) throw new Error(`a base64 payload of ${binary.length} bytes is not float32 data`);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
