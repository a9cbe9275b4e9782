import { readFile } from 'node:fs/promises';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { Errors } from '../../errors.ts';
import type { Hrtf } from './hrtf.ts';

/**
 * An HRTF set already resampled, as one brotli-compressed little-endian file:
 * a 16-byte header ("EHRT", sample rate, direction count, taps as uint32), then
 * the directions (float64 × 3 per direction), the onsets (float64 × 2) and the
 * IRs (float32 × 2 × taps), laid out as in {@link Hrtf}. Reading one takes
 * milliseconds where reading the SOFA file and resampling takes seconds.
 */
const MAGIC = 0x54524845; // "EHRT"
const HEADER_BYTES = 16;

export function encodeHrtfTable(h: Hrtf): Buffer {
  const raw = Buffer.alloc(HEADER_BYTES + 8 * (h.directions.length + h.onsetsSamples.length) + 4 * h.ir.length);
  raw.writeUInt32LE(MAGIC, 0);
  raw.writeUInt32LE(h.sampleRateHz, 4);
  raw.writeUInt32LE(h.count, 8);
  raw.writeUInt32LE(h.taps, 12);
  let at = HEADER_BYTES;
  for (const part of [h.directions, h.onsetsSamples, h.ir]) {
    raw.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
    at += part.byteLength;
  }
  return brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } });
}

/** Read a table written by {@link encodeHrtfTable}; INVALID_BANK naming the file when it is not one. */
export async function readHrtfTable(path: string): Promise<Hrtf> {
  let raw: Buffer;
  try {
    raw = brotliDecompressSync(await readFile(path));
  } catch (err) {
    throw new Errors.INVALID_BANK(`${path}: not a readable HRTF table (${(err as Error).message})`);
  }
  if (raw.length < HEADER_BYTES || raw.readUInt32LE(0) !== MAGIC) throw new Errors.INVALID_BANK(`${path}: not an HRTF table`);
  const [sampleRateHz, count, taps] = [raw.readUInt32LE(4), raw.readUInt32LE(8), raw.readUInt32LE(12)];
  if (raw.length !== HEADER_BYTES + 8 * 5 * count + 4 * 2 * count * taps) throw new Errors.INVALID_BANK(`${path}: an HRTF table of the wrong size`);
  // Each part copied out, so that it is aligned and owns its memory.
  const take = (at: number, bytes: number): ArrayBuffer => new Uint8Array(raw.subarray(at, at + bytes)).buffer;
  const directions = new Float64Array(take(HEADER_BYTES, 8 * 3 * count));
  const onsetsSamples = new Float64Array(take(HEADER_BYTES + 8 * 3 * count, 8 * 2 * count));
  const ir = new Float32Array(take(HEADER_BYTES + 8 * 5 * count, 4 * 2 * count * taps));
  return { sampleRateHz, count, taps, directions, onsetsSamples, ir };
}
