import type { AudioFrame, WindowResult } from '../../src/pipeline/types.ts';
import { FRAME_KIND, HEADER_BYTES, MAGIC, PROTOCOL_VERSION } from '../protocol/constants.ts';
import type { ServerMessage, ServerMessageOf } from '../protocol/serverMessages.ts';

export { FRAME_KIND, HEADER_BYTES, PROTOCOL_VERSION };

/** What goes out for one message: the JSON text and, for results and audio, the binary frame that follows it. */
export interface OutFrame {
  text: string;
  binary?: Buffer;
}

/** A JSON message with the protocol version stamped on. */
export function jsonFrame(message: ServerMessage): OutFrame {
  return { text: JSON.stringify({ v: PROTOCOL_VERSION, ...message }) };
}

/** One binary frame: the 16-byte header, then the arrays' float32 values one after another. */
export function binaryFrame(kind: number, parts: Float32Array[]): Buffer {
  const count = parts.reduce((n, p) => n + p.length, 0);
  const buf = Buffer.allocUnsafe(HEADER_BYTES + count * 4);
  buf.write(MAGIC, 0, 'latin1');
  buf.writeUInt32LE(kind, 4);
  buf.writeUInt32LE(count, 8);
  buf.writeUInt32LE(0, 12);
  let offset = HEADER_BYTES;
  for (const p of parts) {
    // Copy through a byte view: the Float32Array may sit at any offset of a shared buffer.
    Buffer.from(p.buffer, p.byteOffset, p.byteLength).copy(buf, offset);
    offset += p.byteLength;
  }
  return buf;
}

/** Parse a binary frame's header; null with the reason when it is not one. */
export function readBinaryFrame(data: Buffer): { kind: number; samples: Float32Array } | { problem: string } {
  if (data.length < HEADER_BYTES || data.toString('latin1', 0, 4) !== MAGIC) {
    return { problem: `a binary frame must start with the 16-byte header ("ESHT", kind, count, 0); got ${data.length} bytes starting ${JSON.stringify(data.toString('latin1', 0, Math.min(4, data.length)))}` };
  }
  const kind = data.readUInt32LE(4);
  const count = data.readUInt32LE(8);
  if (data.length !== HEADER_BYTES + count * 4) {
    return { problem: `the header's count says ${count} float32 values (${HEADER_BYTES + count * 4} bytes with the header) but the frame has ${data.length} bytes` };
  }
  // Copy into a fresh, aligned array: the pipeline may keep it.
  const samples = new Float32Array(count);
  Buffer.from(samples.buffer).set(data.subarray(HEADER_BYTES));
  return { kind, samples };
}

/** A window result: JSON (`result`) + embeddings frame (clean then degraded). Serialised once for every subscriber. */
export function resultFrame(r: WindowResult): OutFrame {
  const { clean, degraded, ...rest } = r;
  const message: ServerMessageOf<'result'> = { type: 'result', ...rest, embeddingDim: clean.length };
  return { ...jsonFrame(message), binary: binaryFrame(FRAME_KIND.embeddings, [clean, degraded]) };
}

/** An audio frame: JSON (`audio`, with the degraded scene's peak and clipped-sample count) + samples frame (clean then degraded mono). */
export function audioFrame(a: AudioFrame): OutFrame {
  const { streamId, t0S, sampleRateHz, degradedPeakDbfs, degradedClippedSamples } = a;
  const message: ServerMessageOf<'audio'> = { type: 'audio', streamId, t0S, sampleRateHz, samples: a.clean.length, degradedPeakDbfs, degradedClippedSamples };
  return { ...jsonFrame(message), binary: binaryFrame(FRAME_KIND.audio, [a.clean, a.degraded]) };
}
