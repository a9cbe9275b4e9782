import { createHash, type Hash } from 'node:crypto';
import { Errors } from '../errors.ts';
import type { AudioReader } from './audioReader.ts';
import type { ByteSource } from './byteSource.ts';
import { openCodec, type CodecStream } from './codecs.ts';
import { flacStreamInfo, mp3Info, OggPageCheck } from './containers.ts';
import { assertFinite } from './finite.ts';

/** Compressed bytes fed to a decoder at once. */
const PIECE_BYTES = 1 << 18;

/** What one format adds to the decoder: a check of the bytes before they are decoded, a fix of each decoded block, and the end-of-stream checks. */
interface FormatRules {
  /** A problem with the next bytes (null: none). */
  bytes?(piece: Uint8Array): string | null;
  /** The block as earshot returns it (rescaled, channels fixed), given the decoder's channels. */
  block?(channels: Float32Array[]): Float32Array[];
  /** A problem found at the end, given the frames decoded (null: none). */
  end(frames: number): string | null;
}

/**
 * A reader over FLAC, Ogg Vorbis or MP3 (see openAudioReader in audioReader.ts): the bytes
 * go to audio-decode's wasm decoder a quarter MiB at a time and each piece's samples come
 * back as blocks of at most `blockFrames`, with the checks of a whole-file decode done on
 * the way (FLAC: rescaled to 2^-(bits-1) and MD5 hashed block by block, length and MD5
 * checked at the end; Ogg: page CRCs and sequence checked before the decoder sees the
 * bytes, end-of-stream page at the end; MP3: channel count of the first frame header,
 * length from the LAME/Info tag at the end). The first piece is decoded here, to learn the
 * sample rate and channel count.
 *
 * @param pieceBytes compressed bytes decoded at once (default a quarter MiB)
 * @param head the first bytes of the file (at least the container's header); `offset` where the stream starts (after ID3v2 tags)
 */
export async function openCompressed(
  source: ByteSource,
  name: string,
  format: 'flac' | 'vorbis' | 'mp3',
  offset: number,
  head: Uint8Array,
  blockFrames: number,
  pieceBytes = PIECE_BYTES,
): Promise<AudioReader> {
  const rules = format === 'flac' ? flacRules(head, offset, name) : format === 'vorbis' ? oggRules() : mp3Rules(head, offset);
  const decode: CodecStream = await openCodec(format === 'vorbis' ? 'oga' : format, name);
  const queue: Float32Array[][] = [];
  let position = offset;
  let ended = false;
  let frames = 0;
  let sampleRateHz = 0;
  let channelCount = 0;

  // Decode pieces until a block is queued or the stream has ended (and passed its end checks).
  const pump = async () => {
    while (queue.length === 0 && !ended) {
      const piece = position < source.size ? await source.read(position, pieceBytes) : null;
      if (piece !== null) position += piece.length;
      const problem = piece && rules.bytes ? rules.bytes(piece) : null;
      if (problem) throw new Errors.CORRUPT_AUDIO(name, problem);
      // A copy: the source reuses its buffer, and a decoder may hold on to a partial frame.
      const part = await decode(piece?.slice());
      if (piece === null) ended = true;
      if (part.channels.length > 0) {
        if (sampleRateHz === 0) {
          if (!(part.sampleRateHz > 0)) throw new Errors.CORRUPT_AUDIO(name, `decoder reported a sample rate of ${part.sampleRateHz} Hz`);
          sampleRateHz = part.sampleRateHz;
        }
        const decoded = rules.block ? rules.block(part.channels) : part.channels;
        channelCount ||= decoded.length;
        // The first block's channel count holds (audio-decode's rule for a stream whose count changes).
        const block = Array.from({ length: channelCount }, (_, c) => decoded[c] ?? decoded[0].slice());
        assertFinite(block, name, frames);
        frames += block[0].length;
        for (let at = 0; at < block[0].length; at += blockFrames) queue.push(block.map((x) => (x.length <= blockFrames ? x : x.slice(at, at + blockFrames))));
      }
      if (ended) {
        const problem = rules.end(frames);
        if (problem) throw new Errors.CORRUPT_AUDIO(name, problem);
        if (frames === 0) throw new Errors.EMPTY_AUDIO(name);
      }
    }
  };

  try {
    await pump();
  } catch (err) {
    if (!ended) await decode().catch(() => undefined);
    throw err;
  }
  let closed = false;
  return {
    name,
    sampleRateHz,
    channelCount,
    frames: null,
    async read() {
      await pump();
      return queue.shift() ?? null;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (!ended) await decode().catch(() => undefined);
      await source.close();
    },
  };
}

/**
 * FLAC: libFLAC's wasm build scales by 1/(2^(bits-1) - 1); recover the exact integers,
 * hash them for STREAMINFO's MD5, and rescale by 2^-(bits-1) like WAV. At the end, the
 * sample count and the MD5 are checked.
 */
function flacRules(head: Uint8Array, offset: number, name: string): FormatRules {
  const info = flacStreamInfo(head, offset);
  if (!info) throw new Errors.CORRUPT_AUDIO(name, 'FLAC STREAMINFO block is missing or cut off');
  const bits = info.bitsPerSample;
  // float32 cannot carry 25..32-bit integers exactly: no rescale or MD5 then.
  const exact = bits <= 24;
  const up = 2 ** (bits - 1) - 1;
  const down = 2 ** -(bits - 1);
  const bytesPer = Math.ceil(bits / 8);
  const hash: Hash | null = info.md5 && exact ? createHash('md5') : null;
  return {
    block(channels) {
      if (!exact) return channels;
      const n = channels[0].length;
      const nCh = channels.length;
      // MD5 input: interleaved little-endian signed integers of bytesPer bytes (FLAC format spec).
      const bytes = hash ? new Uint8Array(n * nCh * bytesPer) : null;
      channels.forEach((x, c) => {
        for (let i = 0; i < n; i++) {
          const v = Math.round(x[i] * up);
          x[i] = v * down;
          if (bytes) for (let b = 0, o = (i * nCh + c) * bytesPer, w = v; b < bytesPer; b++, w >>= 8) bytes[o + b] = w & 0xff;
        }
      });
      if (hash && bytes) hash.update(bytes);
      return channels;
    },
    end(frames) {
      if (info.totalFrames > 0 && frames !== info.totalFrames) return `truncated or damaged: decoded ${frames} samples per channel, STREAMINFO declares ${info.totalFrames}`;
      if (hash && frames > 0 && !hash.digest().equals(info.md5!)) return 'damaged: the decoded samples do not match the MD5 in STREAMINFO';
      return null;
    },
  };
}

/** Ogg Vorbis: pages checked before the decoder sees them (the decoder stops silently at a bad one). */
function oggRules(): FormatRules {
  const pages = new OggPageCheck();
  return { bytes: (piece) => pages.push(piece), end: () => pages.end() };
}

/**
 * MP3: mpg123 always outputs stereo and audio-decode collapses identical channels: restore
 * the file's own count from its first frame header (a stream without one keeps the count
 * of its first block). At the end: something was decoded, and as much as a LAME/Info tag promises.
 */
function mp3Rules(head: Uint8Array, offset: number): FormatRules {
  const info = mp3Info(head, offset);
  return {
    block(channels) {
      if (info.channels === 1 && channels.length === 2) return [channels[0]];
      if (info.channels === 2 && channels.length === 1) return [channels[0], channels[0].slice()];
      return channels;
    },
    end(frames) {
      if (frames === 0) return 'no decodable MPEG audio frame';
      if (info.expectedFrames !== null && frames < info.expectedFrames) return `truncated or damaged: decoded ${frames} samples per channel, the Info tag promises ${info.expectedFrames}`;
      return null;
    },
  };
}
