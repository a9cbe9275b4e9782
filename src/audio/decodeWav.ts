import type { AudioData } from './types.ts';
import { Errors } from '../errors.ts';

/** Parsed `fmt ` + `data` chunks of a RIFF/WAVE file. */
export interface WavHeader {
  /** WAVE format tag; WAVE_FORMAT_EXTENSIBLE (0xFFFE) is resolved to its SubFormat tag. */
  formatTag: number;
  channels: number;
  sampleRateHz: number;
  /** Bits per stored sample (the container size: 24 for 20-bit audio in 3 bytes). */
  bitsPerSample: number;
  /** Bytes per frame (one sample of every channel). */
  blockAlign: number;
  /** Byte offset of the first audio byte. */
  dataStart: number;
  /** Audio bytes to read: the declared size, or up to the end of the file for streamed WAVs. */
  dataBytes: number;
  /** The raw `fmt ` chunk (header included), for handing exotic codecs to another decoder. */
  fmtChunk: Uint8Array;
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const CODEC_NAMES: Record<number, string> = { 2: 'MS ADPCM', 6: 'A-law', 7: 'µ-law', 0x11: 'IMA ADPCM', 0x55: 'MP3' };
// Streaming writers cannot seek back to fill in sizes: ffmpeg leaves 0xFFFFFFFF, sox 0x7FFFF000, others 0.
const isPlaceholder = (size: number) => size === 0 || size >= 0x7ffff000;

/**
 * Walk the RIFF chunks of a WAV file and validate its `fmt ` and `data` chunks.
 * Odd-sized chunks are followed by a pad byte (RIFF rule). Chunks after `data` are ignored.
 *
 * A data chunk whose declared size runs past the end of the file is reported as
 * truncated (CORRUPT_AUDIO) rather than decoded short; sizes left as placeholders by
 * streaming writers (0 with a placeholder RIFF size, 0xFFFFFFFF, >= 0x7FFFF000) mean
 * "read to the end of the file".
 *
 * @param bytes the whole file
 * @param name the file name used in error messages
 * @throws UNKNOWN_FORMAT (not RIFF/WAVE, RF64, or an unsupported codec or bit depth),
 *   CORRUPT_AUDIO (missing or inconsistent chunks, truncated data)
 */
export function parseWavHeader(bytes: Uint8Array, name: string): WavHeader {
  return walkWavHeader(bytes, name, bytes.length) as WavHeader;
}

/**
 * {@link parseWavHeader} over the first bytes of a file of `fileBytes` bytes (a reader
 * that streams the data chunk needs only the chunks before it). Returns the header, or
 * `{ needBytes }` when the chunks before the data chunk run past `bytes`: read at least
 * that many bytes from the start of the file and call again. Errors as parseWavHeader.
 */
export function walkWavHeader(bytes: Uint8Array, name: string, fileBytes: number): WavHeader | { needBytes: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]);
  if (bytes.length < 12 && fileBytes > bytes.length) return { needBytes: 12 };
  if (bytes.length < 12 || tag(8) !== 'WAVE') throw new Errors.UNKNOWN_FORMAT(name, 'no RIFF/WAVE header');
  if (tag(0) !== 'RIFF') throw new Errors.UNKNOWN_FORMAT(name, `${tag(0)} WAV variants are not supported; convert to a plain RIFF WAV or FLAC`);
  const riffSize = dv.getUint32(4, true);
  let fmt: Omit<WavHeader, 'dataStart' | 'dataBytes'> | undefined;
  for (let pos = 12; pos + 8 <= fileBytes; ) {
    if (pos + 8 > bytes.length) return { needBytes: pos + 8 };
    const id = tag(pos);
    const size = dv.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > fileBytes) throw new Errors.CORRUPT_AUDIO(name, `fmt chunk of ${size} bytes is too short or cut off`);
      if (body + size > bytes.length) return { needBytes: body + size };
      fmt = parseFmt(dv, body, size, name);
      fmt.fmtChunk = bytes.subarray(pos, body + size);
    } else if (id === 'data') {
      if (!fmt) throw new Errors.CORRUPT_AUDIO(name, 'data chunk comes before any fmt chunk');
      const available = fileBytes - body;
      const unknown = size === 0 ? isPlaceholder(riffSize) : isPlaceholder(size) && size > available;
      if (!unknown && size > available) {
        const secs = (n: number) => (n / fmt!.blockAlign / fmt!.sampleRateHz).toFixed(3);
        throw new Errors.CORRUPT_AUDIO(name, `truncated: the data chunk declares ${size} bytes (${secs(size)} s) but only ${available} bytes (${secs(available)} s) are present`);
      }
      return { ...fmt, dataStart: body, dataBytes: unknown ? available : size };
    }
    pos = body + size + (size & 1);
  }
  throw new Errors.CORRUPT_AUDIO(name, fmt ? 'no data chunk (the header is cut off or the file holds no audio chunk)' : 'no fmt chunk');
}

function parseFmt(dv: DataView, o: number, size: number, name: string): Omit<WavHeader, 'dataStart' | 'dataBytes'> {
  let formatTag = dv.getUint16(o, true);
  const channels = dv.getUint16(o + 2, true);
  const sampleRateHz = dv.getUint32(o + 4, true);
  const blockAlign = dv.getUint16(o + 12, true);
  const bitsPerSample = dv.getUint16(o + 14, true);
  if (formatTag === EXTENSIBLE) {
    if (size < 40) throw new Errors.CORRUPT_AUDIO(name, `WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, needs 40`);
    formatTag = dv.getUint16(o + 24, true); // first two bytes of the SubFormat GUID
  }
  if (channels < 1) throw new Errors.CORRUPT_AUDIO(name, 'fmt chunk declares 0 channels');
  if (sampleRateHz < 1) throw new Errors.CORRUPT_AUDIO(name, 'fmt chunk declares a sample rate of 0 Hz');
  if (formatTag !== PCM && formatTag !== FLOAT) {
    const codec = CODEC_NAMES[formatTag] ?? `codec 0x${formatTag.toString(16).padStart(4, '0')}`;
    if (!(formatTag in CODEC_NAMES) || formatTag === 0x55) throw new Errors.UNKNOWN_FORMAT(name, `WAV with ${codec} data is not supported`);
    if (blockAlign < 1) throw new Errors.CORRUPT_AUDIO(name, 'fmt chunk declares a block align of 0');
    return { formatTag, channels, sampleRateHz, bitsPerSample, blockAlign, fmtChunk: new Uint8Array(0) };
  }
  const okBits = formatTag === PCM ? [8, 16, 24, 32] : [32, 64];
  if (!okBits.includes(bitsPerSample)) {
    throw new Errors.UNKNOWN_FORMAT(name, `${bitsPerSample}-bit ${formatTag === PCM ? 'integer PCM' : 'float'} WAV is not supported (use ${okBits.join('/')}-bit)`);
  }
  if (blockAlign !== (channels * bitsPerSample) / 8) {
    throw new Errors.CORRUPT_AUDIO(name, `block align ${blockAlign} does not match ${channels} channels of ${bitsPerSample} bits`);
  }
  return { formatTag, channels, sampleRateHz, bitsPerSample, blockAlign, fmtChunk: new Uint8Array(0) };
}

/**
 * Decode the samples of integer PCM (8/16/24/32-bit) or IEEE float (32/64-bit) WAV data
 * into planar float32. Integers scale symmetrically by 2^-(bits-1), as libsndfile and
 * ffmpeg do (8-bit is unsigned with a 128 offset), so full-scale negative reads as -1 and
 * full-scale positive just under 1. Float samples are passed through unchanged (NaN and
 * values beyond ±1 included; the caller checks). A trailing partial frame is ignored.
 *
 * @param bytes the whole file; `header` from {@link parseWavHeader} on the same bytes
 */
export function decodeWavSamples(bytes: Uint8Array, header: WavHeader): AudioData {
  const frames = Math.floor(header.dataBytes / header.blockAlign);
  const out = Array.from({ length: header.channels }, () => new Float32Array(frames));
  decodeWavFrames(bytes.subarray(header.dataStart, header.dataStart + frames * header.blockAlign), header, out, 0);
  return { sampleRateHz: header.sampleRateHz, channels: out };
}

/**
 * Decode whole frames of PCM or float WAV data (see {@link decodeWavSamples} for the
 * scaling) into `out[c][offset ..]`: the one sample decoder of the whole-file and the
 * block-by-block readers, so both give the same values.
 *
 * @param raw a whole number of frames of the data chunk (`header.blockAlign` bytes each)
 */
export function decodeWavFrames(raw: Uint8Array, header: WavHeader, out: Float32Array[], offset: number): void {
  const { channels: nCh, bitsPerSample: bits, formatTag, blockAlign } = header;
  const frames = Math.floor(raw.length / blockAlign);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const deinterleave = (read: (byteOffset: number) => number, bytesPerSample: number) => {
    for (let c = 0; c < nCh; c++) {
      const x = out[c];
      for (let i = 0, o = c * bytesPerSample; i < frames; i++, o += blockAlign) x[offset + i] = read(o);
    }
  };
  // 16-bit and float32 on a little-endian host, 2- or 4-byte aligned: typed-array views, the same values without a call per sample.
  if (LITTLE_ENDIAN && ((bits === 16 && formatTag === PCM && raw.byteOffset % 2 === 0) || (bits === 32 && formatTag === FLOAT && raw.byteOffset % 4 === 0))) {
    if (bits === 16) {
      const view = new Int16Array(raw.buffer, raw.byteOffset, frames * nCh);
      for (let c = 0; c < nCh; c++) {
        const x = out[c];
        for (let i = 0, k = c; i < frames; i++, k += nCh) x[offset + i] = view[k] / 32768;
      }
    } else {
      const view = new Float32Array(raw.buffer, raw.byteOffset, frames * nCh);
      if (nCh === 1) out[0].set(view, offset);
      else {
        for (let c = 0; c < nCh; c++) {
          const x = out[c];
          for (let i = 0, k = c; i < frames; i++, k += nCh) x[offset + i] = view[k];
        }
      }
    }
    return;
  }
  if (formatTag === FLOAT && bits === 32) deinterleave((o) => dv.getFloat32(o, true), 4);
  else if (formatTag === FLOAT) deinterleave((o) => dv.getFloat64(o, true), 8);
  else if (bits === 8) deinterleave((o) => (raw[o] - 128) / 128, 1);
  else if (bits === 16) deinterleave((o) => dv.getInt16(o, true) / 32768, 2);
  else if (bits === 24) deinterleave((o) => ((raw[o] | (raw[o + 1] << 8) | (raw[o + 2] << 16)) << 8 >> 8) / 8388608, 3);
  else deinterleave((o) => dv.getInt32(o, true) / 2147483648, 4);
}

/**
 * A minimal RIFF/WAVE file holding only the `fmt ` and `data` chunks of a parsed WAV,
 * so that a decoder which mis-walks odd-sized or unknown chunks sees a canonical layout.
 */
export function canonicalWav(bytes: Uint8Array, header: WavHeader): Uint8Array {
  const dataBytes = header.dataBytes - (header.dataBytes % header.blockAlign);
  const fmtPad = header.fmtChunk.length & 1; // keep the data chunk word-aligned after an odd fmt chunk
  const out = new Uint8Array(12 + header.fmtChunk.length + fmtPad + 8 + dataBytes);
  const dv = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0);
  dv.setUint32(4, out.length - 8, true);
  out.set([0x57, 0x41, 0x56, 0x45], 8);
  out.set(header.fmtChunk, 12);
  const d = 12 + header.fmtChunk.length + fmtPad;
  out.set([0x64, 0x61, 0x74, 0x61], d);
  dv.setUint32(d + 4, dataBytes, true);
  out.set(bytes.subarray(header.dataStart, header.dataStart + dataBytes), d + 8);
  return out;
}
