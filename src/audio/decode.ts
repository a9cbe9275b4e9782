import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import decode from 'audio-decode';
import type { AudioData } from './types.ts';
import { Errors } from '../errors.ts';
import { assertFinite } from './finite.ts';
import { canonicalWav, decodeWavSamples, parseWavHeader } from './decodeWav.ts';
import { flacStreamInfo, mp3Info, oggProblem, sniffFormat, type FlacStreamInfo } from './containers.ts';

/**
 * Read and decode an audio file (WAV, FLAC, Ogg Vorbis or MP3) to planar float32.
 * See {@link decodeAudioBytes} for what is decoded and checked.
 *
 * @param path file path; it is named in every error message
 * @throws FILE_NOT_FOUND, IS_DIRECTORY, UNREADABLE (permissions, I/O errors), and
 *   everything {@link decodeAudioBytes} throws
 * @example
 * const { sampleRateHz, channels } = await decodeAudioFile('speech.flac');
 */
export async function decodeAudioFile(path: string): Promise<AudioData> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new Errors.FILE_NOT_FOUND(path);
    if (code === 'EISDIR') throw new Errors.IS_DIRECTORY(path);
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ELOOP' ? 'too many symbolic links' : (err as Error).message;
    throw new Errors.UNREADABLE(path, reason);
  }
  return decodeAudioBytes(bytes, path);
}

/**
 * Decode the bytes of a whole audio file to planar float32 at the file's own sample rate
 * and channel count, in the order the file stores the channels.
 *
 * - WAV: 8-bit unsigned, 16/24/32-bit integer PCM, 32/64-bit float, plain or
 *   WAVE_FORMAT_EXTENSIBLE, any channel count; A-law, µ-law and ADPCM through
 *   audio-decode. Integers scale by 2^-(bits-1) (full-scale negative = -1). Float samples
 *   beyond ±1 are kept as they are.
 * - FLAC (libFLAC wasm via audio-decode), rescaled to the same 2^-(bits-1) convention;
 *   the sample count and, when present, the MD5 in STREAMINFO are verified.
 * - Ogg Vorbis (libvorbis wasm): page CRCs, page sequence and the end-of-stream page are
 *   verified.
 * - MP3 / MPEG layer I-II (mpg123 wasm), gapless when the file has a LAME/Info tag, whose
 *   length is then verified; MP3s without one cannot be checked for truncation.
 *
 * Truncated or corrupt files never come back silently short: a WAV data chunk cut before
 * its declared size is an error too (streamed WAVs with placeholder sizes read to the end).
 *
 * @param bytes the whole file
 * @param name the file name to put in error messages
 * @throws UNKNOWN_FORMAT (not audio, or a format earshot does not read), CORRUPT_AUDIO,
 *   EMPTY_AUDIO (no samples), NON_FINITE_AUDIO (NaN/Inf; names sample index and channel, 0-based)
 */
export async function decodeAudioBytes(bytes: Uint8Array, name: string): Promise<AudioData> {
  if (bytes.length === 0) throw new Errors.EMPTY_AUDIO(name);
  const sniffed = sniffFormat(bytes);
  if (!sniffed) {
    const head = Array.from(bytes.subarray(0, 4), (v) => v.toString(16).padStart(2, '0')).join(' ');
    throw new Errors.UNKNOWN_FORMAT(name, `unrecognised content starting with bytes ${head}`);
  }
  let audio: AudioData;
  switch (sniffed.format) {
    case 'unsupported':
      throw new Errors.UNKNOWN_FORMAT(name, `${sniffed.what} is not supported; convert it to WAV or FLAC`);
    case 'wav': {
      const header = parseWavHeader(bytes, name);
      audio = header.formatTag === 1 || header.formatTag === 3
        ? decodeWavSamples(bytes, header)
        : await decodeWith('wav', canonicalWav(bytes, header), name);
      break;
    }
    case 'flac': {
      const info = flacStreamInfo(bytes, sniffed.offset);
      if (!info) throw new Errors.CORRUPT_AUDIO(name, 'FLAC STREAMINFO block is missing or cut off');
      audio = checkFlac(await decodeWith('flac', bytes.subarray(sniffed.offset), name), info, name);
      break;
    }
    case 'vorbis': {
      const problem = oggProblem(bytes);
      if (problem) throw new Errors.CORRUPT_AUDIO(name, problem);
      audio = await decodeWith('oga', bytes, name);
      break;
    }
    case 'mp3': {
      const info = mp3Info(bytes, sniffed.offset);
      audio = await decodeWith('mp3', bytes.subarray(sniffed.offset), name);
      const n = audio.channels[0]?.length ?? 0;
      if (n === 0) throw new Errors.CORRUPT_AUDIO(name, 'no decodable MPEG audio frame');
      if (info.expectedFrames !== null && n < info.expectedFrames) {
        throw new Errors.CORRUPT_AUDIO(name, `truncated or damaged: decoded ${n} samples per channel, the Info tag promises ${info.expectedFrames}`);
      }
      // mpg123 always outputs stereo and audio-decode collapses identical channels: restore the file's own count.
      if (info.channels === 1 && audio.channels.length === 2) audio.channels = [audio.channels[0]];
      if (info.channels === 2 && audio.channels.length === 1) audio.channels = [audio.channels[0], audio.channels[0].slice()];
      break;
    }
  }
  if (audio.channels.length === 0 || audio.channels[0].length === 0) throw new Errors.EMPTY_AUDIO(name);
  if (!(audio.sampleRateHz > 0)) throw new Errors.CORRUPT_AUDIO(name, `decoder reported a sample rate of ${audio.sampleRateHz} Hz`);
  assertFinite(audio.channels, name);
  return audio;
}

/**
 * Run one of audio-decode's format decoders over a whole file. Any exception (wasm ones
 * included) and any error the wasm decoders print (they log to console.error and carry on)
 * becomes CORRUPT_AUDIO.
 */
async function decodeWith(format: 'wav' | 'flac' | 'oga' | 'mp3', bytes: Uint8Array, name: string): Promise<AudioData> {
  const codec = format === 'oga' ? 'vorbis' : format;
  const reported: string[] = [];
  let parts;
  try {
    const dec = await decode[format as 'wav']();
    parts = [await quietly(reported, () => dec(bytes)), await quietly(reported, () => dec())];
  } catch (err) {
    throw new Errors.CORRUPT_AUDIO(name, `the ${codec} decoder failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (reported.length > 0) {
    const more = reported.length > 1 ? ` (and ${reported.length - 1} more)` : '';
    throw new Errors.CORRUPT_AUDIO(name, `the ${codec} decoder reported: ${reported[0]}${more}`);
  }
  parts = parts.filter((p) => p.channelData.length > 0 && p.channelData[0].length > 0);
  if (parts.length === 0) return { sampleRateHz: 0, channels: [] };
  const channels = parts[0].channelData.map((_, c) => concat(parts.map((p) => p.channelData[c] ?? p.channelData[0])));
  return { sampleRateHz: parts[0].sampleRate, channels };
}

const DECODER_LOG = /^(mpg123-decoder|@wasm-audio-decoders)/;

/**
 * Call `fn` with the wasm decoders' console.error messages collected into `sink` instead of
 * printed; other messages pass through. The codecs decode synchronously inside `fn`, so the
 * swap is undone before any other code runs.
 */
function quietly<T>(sink: string[], fn: () => T): T {
  const original = console.error;
  console.error = (...args: unknown[]) => {
    const text = args.map(String).join(' ').replace(/\s+/g, ' ').trim();
    if (DECODER_LOG.test(text)) sink.push(text);
    else original.apply(console, args);
  };
  try {
    return fn();
  } finally {
    console.error = original;
  }
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/**
 * libFLAC's wasm build scales by 1/(2^(bits-1) - 1); recover the exact integers, check their
 * count and MD5 against STREAMINFO, and rescale by 2^-(bits-1) like WAV.
 */
function checkFlac(audio: AudioData, info: FlacStreamInfo, name: string): AudioData {
  const n = audio.channels[0]?.length ?? 0;
  if (info.totalFrames > 0 && n !== info.totalFrames) {
    throw new Errors.CORRUPT_AUDIO(name, `truncated or damaged: decoded ${n} samples per channel, STREAMINFO declares ${info.totalFrames}`);
  }
  const bits = info.bitsPerSample;
  if (n === 0 || bits > 24) return audio; // float32 cannot carry 25..32-bit integers exactly: no rescale or MD5
  const up = 2 ** (bits - 1) - 1;
  const down = 2 ** -(bits - 1);
  const bytesPer = Math.ceil(bits / 8);
  const hash = info.md5 ? createHash('md5') : null;
  const nCh = audio.channels.length;
  const block = 8192;
  // MD5 input: interleaved little-endian signed integers of bytesPer bytes (FLAC format spec).
  const ints = new Int32Array(block * nCh);
  const bytes = new Uint8Array(ints.length * bytesPer);
  for (let start = 0; start < n; start += block) {
    const m = Math.min(n, start + block) - start;
    audio.channels.forEach((x, c) => {
      for (let i = 0, k = c; i < m; i++, k += nCh) {
        const v = Math.round(x[start + i] * up);
        x[start + i] = v * down;
        ints[k] = v;
      }
    });
    if (!hash) continue;
    for (let k = 0, o = 0; k < m * nCh; k++) for (let b = 0, v = ints[k]; b < bytesPer; b++, v >>= 8) bytes[o++] = v & 0xff;
    hash.update(bytes.subarray(0, m * nCh * bytesPer));
  }
  if (hash && !hash.digest().equals(info.md5!)) throw new Errors.CORRUPT_AUDIO(name, 'damaged: the decoded samples do not match the MD5 in STREAMINFO');
  return audio;
}
