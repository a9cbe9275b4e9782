import type { AudioData } from './types.ts';
import { Errors } from '../errors.ts';
import { fileByteSource, type ByteSource } from './byteSource.ts';
import { decodeWith } from './codecs.ts';
import { openCompressed } from './compressedReader.ts';
import { sniffFormat } from './containers.ts';
import { canonicalWav, decodeWavFrames, walkWavHeader, type WavHeader } from './decodeWav.ts';
import { assertFinite } from './finite.ts';
import { channelArrays } from '../dsp/channels.ts';

/**
 * An audio file read block by block: planar float32 at the file's own rate and channel
 * count, with every check of a whole-file decode (see decodeAudioBytes in decode.ts). A
 * check that needs the whole stream (a FLAC sample count or MD5, an MP3 length, an Ogg
 * end-of-stream page) fails the read that reaches the end; a non-finite sample fails the
 * read of its block.
 */
export interface AudioReader {
  /** What errors call the file. */
  readonly name: string;
  readonly sampleRateHz: number;
  readonly channelCount: number;
  /** Frames per channel, when the file says so before it is decoded (WAV); null otherwise. */
  readonly frames: number | null;
  /**
   * The next block, `channelCount` fresh arrays of 1..blockFrames samples, or null after the last.
   * With `reuse`, the caller is done with every block it read before: the reader may return this
   * one in the arrays of an earlier one, so a long file leaves no trail of blocks for the garbage
   * collector (dead blocks of an hour's render held 30 MB more at its peak).
   */
  read(reuse?: boolean): Promise<Float32Array[] | null>;
  /** Release the file (idempotent). */
  close(): Promise<void>;
}

/** Options of {@link openAudioReader}. */
export interface AudioReaderOptions {
  /** Most frames per block. Default 65536 (about 1.5 s at 44.1 kHz). */
  blockFrames?: number;
  /**
   * Compressed bytes fed to a decoder at once (FLAC, Ogg, MP3). Default 256 KiB.
   * A piece may decode to far more audio than its size suggests (a FLAC of
   * silence: about 1000x); a small piece bounds what one read() decodes.
   */
  pieceBytes?: number;
}

export const DEFAULT_BLOCK_FRAMES = 65536;
/** Bytes of a file read at once (WAV data, compressed streams) and to find its header. */
const READ_BYTES = 1 << 18;

/**
 * Open an audio file for reading block by block (see {@link openAudioReader}).
 *
 * @throws FILE_NOT_FOUND, IS_DIRECTORY, UNREADABLE, and what openAudioReader throws
 * @example
 * const reader = await openAudioFile('talk.flac');
 * try { for (let block; (block = await reader.read()); ) use(block); } finally { await reader.close(); }
 */
export async function openAudioFile(path: string, opts: AudioReaderOptions = {}): Promise<AudioReader> {
  return openAudioReader(await fileByteSource(path), path, opts);
}

/**
 * Read the header of an audio file (WAV, FLAC, Ogg Vorbis, MP3; see decodeAudioBytes) and
 * return a reader of its samples. Memory stays bounded by the block size for PCM and float
 * WAV (read straight from the data chunk), FLAC, Ogg Vorbis and MP3 (fed to the wasm
 * decoders a quarter MiB at a time; they keep only partial frames). WAVs in A-law, µ-law
 * or ADPCM are decoded whole, then served in blocks. The source is closed by `close()`,
 * or here when opening fails.
 *
 * @throws what decodeAudioBytes throws for the header and the first block
 */
export async function openAudioReader(source: ByteSource, name: string, opts: AudioReaderOptions = {}): Promise<AudioReader> {
  const blockFrames = opts.blockFrames ?? DEFAULT_BLOCK_FRAMES;
  try {
    if (!Number.isInteger(blockFrames) || blockFrames < 1) throw new Errors.INVALID_OPTION(`blockFrames must be a positive integer, got ${blockFrames}`);
    if (source.size === 0) throw new Errors.EMPTY_AUDIO(name);
    let head = (await source.read(0, READ_BYTES)).slice();
    let sniffed = sniffFormat(head);
    // A long ID3v2 tag (cover art) can hide what follows it: read past it and look again.
    if (sniffed?.format === 'mp3' && sniffed.offset + 64 > head.length && head.length < source.size) {
      head = (await source.read(0, sniffed.offset + READ_BYTES)).slice();
      sniffed = sniffFormat(head);
    }
    if (!sniffed) {
      const bytes = Array.from(head.subarray(0, 4), (v) => v.toString(16).padStart(2, '0')).join(' ');
      throw new Errors.UNKNOWN_FORMAT(name, `unrecognised content starting with bytes ${bytes}`);
    }
    if (sniffed.format === 'unsupported') throw new Errors.UNKNOWN_FORMAT(name, `${sniffed.what} is not supported; convert it to WAV or FLAC`);
    if (sniffed.format !== 'wav') return await openCompressed(source, name, sniffed.format, sniffed.offset, head, blockFrames, opts.pieceBytes);
    for (let walked = walkWavHeader(head, name, source.size); ; walked = walkWavHeader(head, name, source.size)) {
      if (!('needBytes' in walked)) return await openWav(source, name, walked, blockFrames);
      head = (await source.read(0, Math.max(walked.needBytes, 2 * head.length))).slice();
    }
  } catch (err) {
    await source.close();
    throw err;
  }
}

async function openWav(source: ByteSource, name: string, header: WavHeader, blockFrames: number): Promise<AudioReader> {
  if (header.formatTag !== 1 && header.formatTag !== 3) {
    const bytes = (await source.read(0, source.size)).slice();
    await source.close();
    const audio = await decodeWith('wav', canonicalWav(bytes, header), name);
    if (audio.channels.length === 0 || audio.channels[0].length === 0) throw new Errors.EMPTY_AUDIO(name);
    assertFinite(audio.channels, name);
    return memoryReader(audio, name, blockFrames);
  }
  const frames = Math.floor(header.dataBytes / header.blockAlign);
  if (frames === 0) throw new Errors.EMPTY_AUDIO(name);
  const perBlock = Math.max(1, Math.min(blockFrames, Math.floor(READ_BYTES / header.blockAlign)));
  let done = 0;
  let reused: Float32Array[] | undefined;
  return {
    name,
    sampleRateHz: header.sampleRateHz,
    channelCount: header.channels,
    frames,
    async read(reuse) {
      if (done >= frames) return null;
      const n = Math.min(perBlock, frames - done);
      const raw = await source.read(header.dataStart + done * header.blockAlign, n * header.blockAlign);
      if (raw.length < n * header.blockAlign) throw new Errors.CORRUPT_AUDIO(name, `truncated: the file ended at byte ${header.dataStart + done * header.blockAlign + raw.length} while it was read`);
      const out = reuse ? (reused ??= channelArrays(header.channels, perBlock)).map((x) => x.subarray(0, n)) : channelArrays(header.channels, n);
      decodeWavFrames(raw, header, out, 0);
      if (header.formatTag === 3) assertFinite(out, name, done); // integer PCM is finite by construction
      done += n;
      return out;
    },
    close: () => source.close(),
  };
}

/** Decoded audio served as blocks (for the formats decoded whole). */
export function memoryReader(audio: AudioData, name: string, blockFrames = DEFAULT_BLOCK_FRAMES): AudioReader {
  const frames = audio.channels[0]?.length ?? 0;
  let done = 0;
  return {
    name,
    sampleRateHz: audio.sampleRateHz,
    channelCount: audio.channels.length,
    frames,
    async read() {
      if (done >= frames) return null;
      const n = Math.min(blockFrames, frames - done);
      const out = audio.channels.map((x) => x.slice(done, done + n));
      done += n;
      return out;
    },
    close: async () => {},
  };
}

/**
 * Everything a reader has left, as one AudioData (the whole-file decode). Closes the reader.
 */
export async function readAll(reader: AudioReader): Promise<AudioData> {
  try {
    const parts: Float32Array[][] = [];
    let total = 0;
    const known = reader.frames;
    const whole = known === null ? null : Array.from({ length: reader.channelCount }, () => new Float32Array(known));
    // Copied into `whole` at once when the length is known, so the reader may reuse its arrays.
    for (let block = await reader.read(whole !== null); block !== null; block = await reader.read(whole !== null)) {
      if (whole) whole.forEach((x, c) => x.set(block![c], total));
      else parts.push(block);
      total += block[0].length;
    }
    const channels = whole ?? Array.from({ length: reader.channelCount }, (_, c) => concatParts(parts.map((p) => p[c]), total));
    return { sampleRateHz: reader.sampleRateHz, channels };
  } finally {
    await reader.close();
  }
}

function concatParts(parts: Float32Array[], total: number): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
