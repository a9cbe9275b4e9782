import decode from 'audio-decode';
import type { AudioData } from './types.ts';
import { Errors } from '../errors.ts';

/** The audio-decode codecs earshot uses: FLAC (libFLAC), Vorbis (libvorbis), MP3 (mpg123), and WAV's exotic codecs. */
export type CodecFormat = 'wav' | 'flac' | 'oga' | 'mp3';

/**
 * One of audio-decode's streaming decoders: call it with consecutive pieces of the
 * stream (any sizes: the wasm decoders keep partial frames), then with nothing to flush
 * the end. Each call returns the samples it completed (often none), planar, with the
 * decoder's sample rate (0 while it has none). Any exception (wasm ones included) and any
 * error the wasm decoders print (they log to console.error and carry on) becomes
 * CORRUPT_AUDIO naming `name`; after one the decoder is freed.
 */
export type CodecStream = (piece?: Uint8Array) => Promise<AudioData>;

/** Open a streaming decoder (see {@link CodecStream}). */
export async function openCodec(format: CodecFormat, name: string): Promise<CodecStream> {
  const codec = format === 'oga' ? 'vorbis' : format;
  const fail = (err: unknown) => new Errors.CORRUPT_AUDIO(name, `the ${codec} decoder failed: ${err instanceof Error ? err.message : String(err)}`);
  let dec: Awaited<ReturnType<typeof decode.wav>>;
  try {
    dec = await decode[format as 'wav']();
  } catch (err) {
    throw fail(err);
  }
  return async (piece) => {
    const reported: string[] = [];
    let part;
    try {
      part = await quietly(reported, () => dec(piece));
    } catch (err) {
      throw fail(err);
    }
    if (reported.length > 0) {
      dec.free();
      const more = reported.length > 1 ? ` (and ${reported.length - 1} more)` : '';
      throw new Errors.CORRUPT_AUDIO(name, `the ${codec} decoder reported: ${reported[0]}${more}`);
    }
    const empty = part.channelData.length === 0 || part.channelData[0].length === 0;
    return { sampleRateHz: empty ? 0 : part.sampleRate, channels: empty ? [] : part.channelData };
  };
}

/**
 * Run a decoder over a whole file (WAV's A-law, µ-law and ADPCM, which earshot does not
 * read block by block): see {@link openCodec} for the errors.
 */
export async function decodeWith(format: CodecFormat, bytes: Uint8Array, name: string): Promise<AudioData> {
  const dec = await openCodec(format, name);
  const parts = [await dec(bytes), await dec()].filter((p) => p.channels.length > 0);
  if (parts.length === 0) return { sampleRateHz: 0, channels: [] };
  const channels = parts[0].channels.map((_, c) => concat(parts.map((p) => p.channels[c] ?? p.channels[0])));
  return { sampleRateHz: parts[0].sampleRateHz, channels };
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

/** One array holding the parts in order (the part itself when there is only one). */
export function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
