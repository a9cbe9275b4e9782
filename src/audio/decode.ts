import type { AudioData } from './types.ts';
import { openAudioFile, openAudioReader, readAll } from './audioReader.ts';
import { memoryByteSource } from './byteSource.ts';

/**
 * Read and decode an audio file (WAV, FLAC, Ogg Vorbis or MP3) to planar float32.
 * See {@link decodeAudioBytes} for what is decoded and checked. The file is read block by
 * block (openAudioFile in audioReader.ts, which long files should use directly so that
 * memory does not grow with them); only the decoded samples are held.
 *
 * @param path file path; it is named in every error message
 * @throws FILE_NOT_FOUND, IS_DIRECTORY, UNREADABLE (permissions, I/O errors), and
 *   everything {@link decodeAudioBytes} throws
 * @example
 * const { sampleRateHz, channels } = await decodeAudioFile('speech.flac');
 */
export async function decodeAudioFile(path: string): Promise<AudioData> {
  return readAll(await openAudioFile(path));
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
 * The same code reads files block by block (openAudioReader), with the same checks.
 *
 * @param bytes the whole file
 * @param name the file name to put in error messages
 * @throws UNKNOWN_FORMAT (not audio, or a format earshot does not read), CORRUPT_AUDIO,
 *   EMPTY_AUDIO (no samples), NON_FINITE_AUDIO (NaN/Inf; names sample index and channel, 0-based)
 */
export async function decodeAudioBytes(bytes: Uint8Array, name: string): Promise<AudioData> {
  return readAll(await openAudioReader(memoryByteSource(bytes), name));
}
