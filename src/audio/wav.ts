import { endianness } from 'node:os';
import type { AudioData } from './types.ts';
import { Errors } from '../errors.ts';
import { assertFinite } from './finite.ts';
import { clippedSamples, dbToGain, gainToDb, peak, scale } from '../dsp/level.ts';
import { writeAtomically, writeAtomicallyFrom } from '../writeAtomically.ts';

/** Sample format of a written WAV: IEEE float32 (lossless for earshot's audio) or 16-bit integer PCM. */
export type WavFormat = 'float32' | 'pcm16';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';
// KSDATAFORMAT_SUBTYPE_* GUID after its first two bytes (the format tag).
const SUBTYPE_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/**
 * Encode planar audio as a RIFF/WAVE file.
 *
 * - `float32`: IEEE float (format tag 3, with the `fact` chunk the spec asks for), samples
 *   written as they are, values beyond ±1 included.
 * - `pcm16`: 16-bit integer PCM; samples are scaled by 32768, rounded to nearest and clamped
 *   to [-32768, 32767] (never wrapped), so 1.0 becomes 32767 and anything past ±1 is clipped.
 *   Decoding (which divides by 32768) returns every value on the 1/32768 grid exactly. Audio
 *   that may go past ±1 should go through {@link writeWav} (or {@link fitWavFormat}), which
 *   scales it down instead and says so.
 *
 * More than 2 channels are written as WAVE_FORMAT_EXTENSIBLE with a channel mask of 0
 * (no speaker positions: earshot's channels are binaural or ambisonic, not loudspeakers).
 *
 * @param audio at least one channel, all of the same length (zero frames gives a valid empty WAV)
 * @throws INVALID_OPTION (no channels, ragged channels, bad sample rate, over the 4 GiB WAV limit),
 *   NON_FINITE_AUDIO (NaN/Inf samples, which a WAV reader would reject)
 * @example
 * const bytes = encodeWav({ sampleRateHz: 16000, channels: [left, right] }, 'pcm16');
 */
export function encodeWav(audio: AudioData, format: WavFormat): Uint8Array {
  const { channels, sampleRateHz } = audio;
  const frames = channels[0]?.length ?? 0;
  const header = wavHeader(frames, channels.length, sampleRateHz, format);
  channels.forEach((x, c) => {
    if (x.length !== frames) throw new Errors.INVALID_OPTION(`all channels must have the same length: channel 0 has ${frames} samples, channel ${c} has ${x.length}`);
  });
  assertFinite(channels, 'audio to encode as WAV');
  const out = new Uint8Array(header.length + frames * channels.length * (format === 'float32' ? 4 : 2));
  out.set(header);
  writeSamples(out.subarray(header.length), channels, format);
  return out;
}

/** The RIFF header (through the data chunk's size) of {@link encodeWav}'s file for `frames` frames; checks the arguments as encodeWav does. */
function wavHeader(frames: number, nCh: number, sampleRateHz: number, format: WavFormat): Uint8Array {
  if (format !== 'float32' && format !== 'pcm16') throw new Errors.INVALID_OPTION(`WAV format must be 'float32' or 'pcm16', got ${String(format)}`);
  if (nCh < 1 || nCh > 65535) throw new Errors.INVALID_OPTION(`a WAV needs 1..65535 channels, got ${nCh}`);
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < 1 || sampleRateHz > 0xffffffff) {
    throw new Errors.INVALID_OPTION(`sampleRateHz must be a positive integer, got ${sampleRateHz}`);
  }
  const bytesPer = format === 'float32' ? 4 : 2;
  const extensible = nCh > 2;
  const fmtSize = extensible ? 40 : format === 'float32' ? 18 : 16;
  const factSize = format === 'float32' ? 12 : 0;
  const dataBytes = frames * nCh * bytesPer;
  const headerBytes = 12 + 8 + fmtSize + factSize + 8;
  if (headerBytes - 8 + dataBytes > 0xffffffff) throw new Errors.INVALID_OPTION(`${frames} frames × ${nCh} channels exceed the 4 GiB WAV limit; split the audio or use fewer channels`);

  const out = new Uint8Array(headerBytes);
  const dv = new DataView(out.buffer);
  let o = 0;
  const str = (s: string) => { for (const ch of s) out[o++] = ch.charCodeAt(0); };
  const u16 = (v: number) => { dv.setUint16(o, v, true); o += 2; };
  const u32 = (v: number) => { dv.setUint32(o, v, true); o += 4; };
  const tag = format === 'float32' ? 3 : 1;
  str('RIFF'); u32(headerBytes - 8 + dataBytes); str('WAVE');
  str('fmt '); u32(fmtSize);
  u16(extensible ? 0xfffe : tag); u16(nCh); u32(sampleRateHz); u32(sampleRateHz * nCh * bytesPer); u16(nCh * bytesPer); u16(bytesPer * 8);
  if (fmtSize > 16) u16(fmtSize - 18); // cbSize
  if (extensible) { u16(bytesPer * 8); u32(0); u16(tag); out.set(SUBTYPE_TAIL, o); o += SUBTYPE_TAIL.length; }
  if (factSize) { str('fact'); u32(4); u32(frames); }
  str('data'); u32(dataBytes);
  return out;
}

/** Interleave into `dst` (little-endian): straight into a typed view of it when the host is little-endian and `dst` is aligned, else through a copy. */
function writeSamples(dst: Uint8Array, channels: Float32Array[], format: WavFormat, gain = 1): void {
  const nCh = channels.length;
  const frames = channels[0].length;
  const bytesPer = format === 'float32' ? 4 : 2;
  const aligned = LITTLE_ENDIAN_HOST && dst.byteOffset % bytesPer === 0;
  const inter = aligned
    ? format === 'float32' ? new Float32Array(dst.buffer, dst.byteOffset, frames * nCh) : new Int16Array(dst.buffer, dst.byteOffset, frames * nCh)
    : format === 'float32' ? new Float32Array(frames * nCh) : new Int16Array(frames * nCh);
  for (let c = 0; c < nCh; c++) {
    const x = channels[c];
    // x · gain rounded to float32 first: the samples a scaled copy of the channels would hold.
    if (format === 'float32') for (let i = 0, k = c; i < frames; i++, k += nCh) inter[k] = x[i] * gain;
    else for (let i = 0, k = c; i < frames; i++, k += nCh) inter[k] = Math.max(-32768, Math.min(32767, Math.round(Math.fround(x[i] * gain) * 32768)));
  }
  if (aligned) return;
  if (LITTLE_ENDIAN_HOST) {
    dst.set(new Uint8Array(inter.buffer, 0, inter.byteLength));
    return;
  }
  const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);
  for (let k = 0; k < inter.length; k++) {
    if (format === 'float32') dv.setFloat32(k * 4, inter[k], true);
    else dv.setInt16(k * 2, inter[k], true);
  }
}

/**
 * Where a 16-bit output louder than full scale peaks once {@link fitWavFormat} has scaled
 * it down: -0.1 dBFS, so rounding to the nearest step never reaches the clamp at ±32768
 * (the peak lands about 370 steps below it) while costing only 0.1 dB (1.2%) of level.
 */
export const PCM_CEILING_DBFS = -0.1;

/** The levels of audio on its way into a WAV file, and the gain it took to fit the format. */
export interface WavLevels {
  /** Peak of the audio given, all channels, dBFS (0 = full scale; -Infinity for silence, `null` once in JSON). */
  peakDbfs: number;
  /** Samples of the audio given, all channels, beyond full scale (|x| > 1), counted before any scaling. */
  clippedSamples: number;
  /** Gain applied before encoding, dB: 0, or negative when a `pcm16` output was scaled down to fit. */
  outputGainDb: number;
}

/**
 * Fit audio to a WAV sample format without clipping it silently. `float32` holds any
 * finite value: the samples are kept as they are (gain 0 dB), whatever their peak. `pcm16`
 * cannot hold values past ±1: when the peak exceeds full scale, the whole audio (every
 * channel, so their balance is kept) is scaled by one gain that puts the peak at
 * {@link PCM_CEILING_DBFS}; otherwise it is kept as it is. Silence stays silence (gain 0 dB).
 *
 * @returns the audio to encode (the input itself when no gain was needed) and its levels
 * @example
 * const { audio, levels } = fitWavFormat(scene, 'pcm16'); // levels.outputGainDb -9.7 for a +9.6 dBFS render
 */
export function fitWavFormat(audio: AudioData, format: WavFormat): { audio: AudioData; levels: WavLevels } {
  const p = peak(audio.channels);
  const levels = { peakDbfs: gainToDb(p), clippedSamples: clippedSamples(audio.channels), outputGainDb: 0 };
  if (format === 'float32' || p <= 1) return { audio, levels };
  const gain = dbToGain(PCM_CEILING_DBFS) / p;
  return { audio: { ...audio, channels: scale(audio.channels, gain) }, levels: { ...levels, outputGainDb: gainToDb(gain) } };
}

/**
 * Fit the audio to the format ({@link fitWavFormat}: a 16-bit output louder than full scale
 * is scaled down, never clipped or wrapped), encode it and write the file atomically (see
 * {@link writeAtomically}). Callers report the returned levels: the peak, the samples past
 * full scale and the gain applied.
 *
 * @param path destination; its directory must exist
 * @throws WRITE_FAILED (naming the path and the reason), and what {@link encodeWav} throws
 */
export async function writeWav(path: string, audio: AudioData, format: WavFormat): Promise<WavLevels> {
  const fitted = fitWavFormat(audio, format);
  await writeAtomically(path, encodeWav(fitted.audio, format));
  return fitted.levels;
}

/** Audio to write block by block: its shape, and its blocks in order (an AudioReader fits). */
export interface WavBlockSource {
  sampleRateHz: number;
  channelCount: number;
  /** Frames in all; the header is written for this many, and a source that gives another count is an error. */
  frames: number | null;
  /** The next block, or null after the last; `reuse` as for an AudioReader (writeWavBlocks keeps no block). */
  read(reuse?: boolean): Promise<Float32Array[] | null>;
}

/**
 * {@link writeWav} for audio too long to hold: the blocks of `source` are encoded and
 * written as they come, to a temporary file renamed over `path` at the end (nothing is
 * left behind on failure). Fitting a 16-bit file needs the peak before the first sample is
 * written, so for `pcm16` the caller measures the audio first (`measured`: its peak, linear,
 * and the samples past ±1; see renderBlocks.ts); an output peaking above full scale is then
 * scaled by the one gain {@link fitWavFormat} would apply, so the file holds the same bytes.
 * A float file is written as it is and measured as it goes, or, where its source measures
 * itself as it is read (renderBlocks.ts's output), `measured` may be a function that gives
 * those measurements once the last block is read, and the blocks are not measured twice.
 *
 * @throws INVALID_OPTION (unknown length, or not the length announced, or `pcm16` without `measured` before its first block), WRITE_FAILED, NON_FINITE_AUDIO
 */
export async function writeWavBlocks(path: string, source: WavBlockSource, format: WavFormat, measured?: PeakLevels | (() => Promise<PeakLevels>)): Promise<WavLevels> {
  if (source.frames === null) throw new Errors.INVALID_OPTION('writeWavBlocks needs the number of frames before the first block');
  const before = typeof measured === 'function' ? undefined : measured;
  const after = typeof measured === 'function' ? measured : undefined;
  if (format === 'pcm16' && !before) throw new Errors.INVALID_OPTION('writeWavBlocks needs the peak of a 16-bit file\'s audio before its first block: measure the audio first');
  const frames = source.frames;
  const header = wavHeader(frames, source.channelCount, source.sampleRateHz, format);
  const seen = { peak: 0, clippedSamples: 0 };
  const gain = format === 'pcm16' && before!.peak > 1 ? dbToGain(PCM_CEILING_DBFS) / before!.peak : 1;
  let written = 0;
  let bytes = new Uint8Array(0);
  await writeAtomicallyFrom(path, async (write) => {
    await write(header);
    for (let block = await source.read(true); block !== null; block = await source.read(true)) {
      const m = block[0].length;
      if (written + m > frames) throw new Errors.INVALID_OPTION(`writeWavBlocks: more than the ${frames} frames announced`);
      assertFinite(block, 'audio to encode as WAV', written);
      if (!measured) measurePeak(block, seen);
      const size = m * block.length * (format === 'float32' ? 4 : 2);
      // One buffer for every block (grown when needed), so a long file leaves no trail of garbage.
      if (bytes.length < size) bytes = new Uint8Array(size);
      writeSamples(bytes.subarray(0, size), block, format, gain);
      await write(bytes.subarray(0, size));
      written += m;
    }
    if (written !== frames) throw new Errors.INVALID_OPTION(`writeWavBlocks: ${written} frames given, ${frames} announced`);
  });
  const { peak, clippedSamples } = before ?? (after ? await after() : seen);
  return { peakDbfs: gainToDb(peak), clippedSamples, outputGainDb: gain === 1 ? 0 : gainToDb(gain) };
}

/** An audio's largest |sample| (linear) and how many samples lie past ±1. */
export interface PeakLevels {
  peak: number;
  clippedSamples: number;
}

/** Fold the block's largest |sample| and its samples past ±1 into `acc`. */
function measurePeak(block: Float32Array[], acc: { peak: number; clippedSamples: number }): void {
  for (const x of block) {
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]);
      if (a > acc.peak) acc.peak = a;
      if (a > 1) acc.clippedSamples++;
    }
  }
}
