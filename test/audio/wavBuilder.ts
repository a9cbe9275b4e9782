/** Test-side WAV writer for variants earshot itself never writes (8/24/32-bit, float64, odd chunks, bad headers). */
export interface WavSpec {
  /** 1 = integer PCM, 3 = IEEE float, 7 = µ-law, ... */
  formatTag: number;
  bits: number;
  channels: number;
  sampleRateHz: number;
  /** Interleaved sample bytes, already encoded. */
  data: Uint8Array;
  /** Write WAVE_FORMAT_EXTENSIBLE with `formatTag` as the SubFormat. */
  extensible?: boolean;
  /** Chunks inserted between fmt and data, e.g. an odd-sized one to test RIFF padding. */
  extraChunks?: { id: string; body: Uint8Array }[];
  /** Override the declared data size (to fake truncation or streaming placeholders). */
  dataSize?: number;
  riffSize?: number;
  blockAlign?: number;
}

export function buildWav(spec: WavSpec): Uint8Array {
  const parts: number[] = [];
  const u16 = (v: number) => parts.push(v & 0xff, (v >> 8) & 0xff);
  const u32 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  const str = (s: string) => { for (const c of s) parts.push(c.charCodeAt(0)); };
  const blockAlign = spec.blockAlign ?? (spec.channels * spec.bits) / 8;
  str('RIFF'); u32(0); str('WAVE');
  str('fmt '); u32(spec.extensible ? 40 : 16);
  u16(spec.extensible ? 0xfffe : spec.formatTag); u16(spec.channels); u32(spec.sampleRateHz);
  u32(spec.sampleRateHz * blockAlign); u16(blockAlign); u16(spec.bits);
  if (spec.extensible) {
    u16(22); u16(spec.bits); u32(0); u16(spec.formatTag);
    parts.push(0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71);
  }
  for (const c of spec.extraChunks ?? []) {
    str(c.id); u32(c.body.length); parts.push(...c.body);
    if (c.body.length & 1) parts.push(0);
  }
  str('data'); u32(spec.dataSize ?? spec.data.length);
  const out = new Uint8Array(parts.length + spec.data.length);
  out.set(parts); out.set(spec.data, parts.length);
  new DataView(out.buffer).setUint32(4, spec.riffSize ?? out.length - 8, true);
  return out;
}

/** Little-endian bytes of integer codes of `bytesPer` bytes (two's complement), or unsigned bytes for 8-bit. */
export function intBytes(codes: number[], bytesPer: number): Uint8Array {
  const out = new Uint8Array(codes.length * bytesPer);
  codes.forEach((v, i) => { for (let b = 0; b < bytesPer; b++) out[i * bytesPer + b] = (v >> (8 * b)) & 0xff; });
  return out;
}

export function floatBytes(values: number[], bits: 32 | 64): Uint8Array {
  const arr = bits === 32 ? Float32Array.from(values) : Float64Array.from(values);
  return new Uint8Array(arr.buffer);
}
