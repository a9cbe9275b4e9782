/**
 * Container sniffing and integrity metadata for the formats earshot reads. The wasm
 * decoders stop silently at a cut or damaged frame, so the decoder checks what they
 * return against what the container promises: FLAC's STREAMINFO, Ogg page sequence
 * and CRCs, the Xing/LAME tag of MP3s.
 */

/** A recognised container: `offset` is where the audio stream starts (after ID3v2 tags). */
export type Sniffed =
  | { format: 'wav' | 'flac' | 'vorbis' | 'mp3'; offset: number }
  | { format: 'unsupported'; what: string };

const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

/** Length of the ID3v2 tags at `o` (0 if none): syncsafe size plus 10-byte header and optional footer. */
function id3Length(b: Uint8Array, o: number): number {
  let n = 0;
  while (o + n + 10 <= b.length && ascii(b, o + n, 3) === 'ID3') {
    const size = ((b[o + n + 6] & 0x7f) << 21) | ((b[o + n + 7] & 0x7f) << 14) | ((b[o + n + 8] & 0x7f) << 7) | (b[o + n + 9] & 0x7f);
    n += 10 + size + (b[o + n + 5] & 0x10 ? 10 : 0);
  }
  return n;
}

/** Identify the container from its magic bytes; null when nothing matches. */
export function sniffFormat(b: Uint8Array): Sniffed | null {
  if (b.length >= 12 && ascii(b, 8, 4) === 'WAVE') return { format: 'wav', offset: 0 };
  if (ascii(b, 0, 4) === 'OggS' && b.length >= 28) {
    const first = 27 + b[26];
    if (ascii(b, first, 7) === '\x01vorbis') return { format: 'vorbis', offset: 0 };
    const codec = ascii(b, first, 8).startsWith('OpusHead') ? 'Opus' : ascii(b, first, 5) === '\x7fFLAC' ? 'FLAC' : 'an unknown codec';
    return { format: 'unsupported', what: `Ogg with ${codec}` };
  }
  const o = id3Length(b, 0);
  if (ascii(b, o, 4) === 'fLaC') return { format: 'flac', offset: o };
  if (mpegHeader(b, o)) return { format: 'mp3', offset: o };
  if (b[o] === 0xff && (b[o + 1] & 0xf6) === 0xf0) return { format: 'unsupported', what: 'AAC (ADTS)' };
  if (ascii(b, 0, 4) === 'FORM' && ascii(b, 8, 3) === 'AIF') return { format: 'unsupported', what: 'AIFF' };
  if (ascii(b, 4, 4) === 'ftyp') return { format: 'unsupported', what: 'MP4/M4A' };
  if (ascii(b, 0, 4) === '\x1a\x45\xdf\xa3') return { format: 'unsupported', what: 'WebM/Matroska' };
  if (ascii(b, 0, 4) === 'caff') return { format: 'unsupported', what: 'CAF' };
  // An ID3v2 tag is only used in front of MPEG audio: let mpg123 resync past a damaged first frame.
  return o > 0 ? { format: 'mp3', offset: o } : null;
}

/** The fields of an MPEG audio frame header that earshot needs. */
interface MpegHeader { mpeg1: boolean; layer: number; sampleRateHz: number; mono: boolean; samplesPerFrame: number }

const MPEG1_RATES = [44100, 48000, 32000];

/** Parse an MPEG audio (layer I/II/III) frame header at `o`, or null if there is none. */
function mpegHeader(b: Uint8Array, o: number): MpegHeader | null {
  if (o + 4 > b.length || b[o] !== 0xff || (b[o + 1] & 0xe0) !== 0xe0) return null;
  const version = (b[o + 1] >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
  const layer = 4 - ((b[o + 1] >> 1) & 3); // header bits 1..3 mean layer III..I
  const bitrateIdx = b[o + 2] >> 4;
  const rateIdx = (b[o + 2] >> 2) & 3;
  if (version === 1 || layer === 4 || bitrateIdx === 15 || rateIdx === 3) return null;
  const mpeg1 = version === 3;
  const sampleRateHz = MPEG1_RATES[rateIdx] / (mpeg1 ? 1 : version === 2 ? 2 : 4);
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && !mpeg1 ? 576 : 1152;
  return { mpeg1, layer, sampleRateHz, mono: b[o + 3] >> 6 === 3, samplesPerFrame };
}

/** What the first frame of an MP3 stream says: channel count and, from a Xing/Info + LAME tag, the exact length. */
export interface Mp3Info {
  /** From the first frame header; null when there is no valid header at the start (the decoder resyncs). */
  channels: 1 | 2 | null;
  /** Samples per channel after gapless trimming, or null when the file carries no LAME-style tag. */
  expectedFrames: number | null;
}

/** Read the first MPEG frame at `o`: its channel mode and the Xing/Info + LAME tag (frame count, encoder delay and padding). */
export function mp3Info(b: Uint8Array, o: number): Mp3Info {
  const h = mpegHeader(b, o);
  if (!h) return { channels: null, expectedFrames: null };
  const channels = h.mono ? 1 : 2;
  const sideInfo = h.mpeg1 ? (h.mono ? 17 : 32) : h.mono ? 9 : 17;
  const x = o + 4 + sideInfo;
  const tag = ascii(b, x, 4);
  if (h.layer !== 3 || (tag !== 'Xing' && tag !== 'Info') || x + 8 > b.length) return { channels, expectedFrames: null };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = dv.getUint32(x + 4, false);
  if (!(flags & 1)) return { channels, expectedFrames: null };
  const frames = dv.getUint32(x + 8, false);
  const lame = x + 12 + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) + (flags & 8 ? 4 : 0);
  if (lame + 24 > b.length || !/^(LAME|Lavc|Lavf)/.test(ascii(b, lame, 4))) return { channels, expectedFrames: null };
  const delay = (b[lame + 21] << 4) | (b[lame + 22] >> 4);
  const padding = ((b[lame + 22] & 0x0f) << 8) | b[lame + 23];
  return { channels, expectedFrames: frames * h.samplesPerFrame - delay - padding };
}

/** FLAC STREAMINFO: the stream's declared shape, length (0 = unknown) and MD5 of the samples (null = not set). */
export interface FlacStreamInfo { sampleRateHz: number; channels: number; bitsPerSample: number; totalFrames: number; md5: Uint8Array | null }

/** Parse the STREAMINFO block that must follow `fLaC` at `o`; null if it is missing or cut off. */
export function flacStreamInfo(b: Uint8Array, o: number): FlacStreamInfo | null {
  const d = o + 8;
  if (d + 34 > b.length || (b[o + 4] & 0x7f) !== 0) return null;
  const sampleRateHz = (b[d + 10] << 12) | (b[d + 11] << 4) | (b[d + 12] >> 4);
  const channels = ((b[d + 12] >> 1) & 7) + 1;
  const bitsPerSample = (((b[d + 12] & 1) << 4) | (b[d + 13] >> 4)) + 1;
  const totalFrames = (b[d + 13] & 0x0f) * 2 ** 32 + new DataView(b.buffer, b.byteOffset + d + 14, 4).getUint32(0, false);
  const md5 = b.slice(d + 18, d + 34);
  return { sampleRateHz, channels, bitsPerSample, totalFrames, md5: md5.some((v) => v !== 0) ? md5 : null };
}

let crcTable: Uint32Array | undefined;
function oggCrc(page: Uint8Array): number {
  const t = (crcTable ??= Uint32Array.from({ length: 256 }, (_, i) => {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    return r >>> 0;
  }));
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const v = i >= 22 && i < 26 ? 0 : page[i]; // the CRC field itself counts as zeros
    crc = ((crc << 8) ^ t[((crc >>> 24) ^ v) & 0xff]) >>> 0;
  }
  return crc;
}

/**
 * Check the pages of the first logical stream of an Ogg file: each page complete, its CRC
 * right, sequence numbers without gaps, and an end-of-stream page present.
 * @returns null when intact, otherwise what is wrong (for a CORRUPT_AUDIO message)
 */
export function oggProblem(b: Uint8Array): string | null {
  const check = new OggPageCheck();
  return check.push(b) ?? check.end();
}

/**
 * {@link oggProblem} over a file that arrives in pieces: `push` each piece in order (it
 * keeps at most one partial page, under 64 KiB), then `end`. Each returns the first problem
 * found (null while none), with byte offsets from the start of the file; once the
 * end-of-stream page of the first logical stream has passed, the rest is not looked at
 * (chained streams after it are ignored by design).
 */
export class OggPageCheck {
  private held = new Uint8Array(0);
  /** File offset of held[0]. */
  private pos = 0;
  private serial: number | undefined;
  private seq = -1;
  private done = false;

  push(piece: Uint8Array): string | null {
    if (this.done) return null;
    let b = piece;
    if (this.held.length > 0) {
      b = new Uint8Array(this.held.length + piece.length);
      b.set(this.held);
      b.set(piece, this.held.length);
    }
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let at = 0;
    while (at + 27 <= b.length) {
      const pos = this.pos + at;
      if (ascii(b, at, 4) !== 'OggS') return `no Ogg page where one should start (byte ${pos})`;
      if (at + 27 + b[at + 26] > b.length) break;
      const end = at + 27 + b[at + 26] + b.subarray(at + 27, at + 27 + b[at + 26]).reduce((s, v) => s + v, 0);
      if (end > b.length) break;
      if (oggCrc(b.subarray(at, end)) !== dv.getUint32(at + 22, true)) return `page at byte ${pos} fails its CRC check`;
      const pageSerial = dv.getUint32(at + 14, true);
      this.serial ??= pageSerial;
      if (pageSerial === this.serial) {
        const pageSeq = dv.getUint32(at + 18, true);
        if (this.seq >= 0 && pageSeq !== this.seq + 1) return `page ${this.seq + 1} is missing (found page ${pageSeq} at byte ${pos})`;
        this.seq = pageSeq;
        if (b[at + 5] & 4) {
          this.done = true;
          return null;
        }
      }
      at = end;
    }
    this.held = b.slice(at);
    this.pos += at;
    return null;
  }

  end(): string | null {
    if (this.done) return null;
    const b = this.held;
    if (b.length === 0) return 'truncated: the stream ends without its end-of-stream page';
    if (b.length < 27) return `truncated: page header cut off at byte ${this.pos}`;
    const need = 27 + b[26] + b.subarray(27, 27 + b[26]).reduce((s, v) => s + v, 0);
    return `truncated: the page at byte ${this.pos} needs ${need} bytes, ${b.length} are left`;
  }
}
