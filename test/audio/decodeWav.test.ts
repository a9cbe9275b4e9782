import { describe, expect, it } from 'vitest';
import { decodeAudioBytes, decodeAudioFile } from '../../src/audio/decode.ts';
import { buildWav, floatBytes, intBytes } from './wavBuilder.ts';
import { FIXTURES, toneStats } from './helpers.ts';

// Interleaved codes for 2 channels x 4 frames, covering both full-scale ends.
const frames = (codes: number[], nCh: number) => Array.from({ length: nCh }, (_, c) => codes.filter((_, k) => k % nCh === c));

describe('WAV decoding: every integer and float variant, exact values', () => {
  const cases = [
    { label: '8-bit unsigned', bits: 8, codes: [0, 255, 128, 64, 192, 129, 127, 1], expect: (u: number) => (u - 128) / 128, bytes: 1 },
    { label: '16-bit', bits: 16, codes: [-32768, 32767, 0, 1, -1, 16384, -16384, 12345], expect: (v: number) => v / 32768, bytes: 2 },
    { label: '24-bit', bits: 24, codes: [-8388608, 8388607, 0, 1, -1, 4194304, -4194304, 1234567], expect: (v: number) => v / 8388608, bytes: 3 },
    { label: '32-bit', bits: 32, codes: [-2147483648, 2147483647, 0, 256, -256, 1 << 30, -(1 << 30), 123456789], expect: (v: number) => v / 2147483648, bytes: 4 },
  ];
  for (const c of cases) {
    for (const extensible of [false, true]) {
      it(`${c.label} integer PCM${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''}`, async () => {
        const bytes = buildWav({ formatTag: 1, bits: c.bits, channels: 2, sampleRateHz: 11025, data: intBytes(c.codes, c.bytes), extensible });
        const audio = await decodeAudioBytes(bytes, 'x.wav');
        expect(audio.sampleRateHz).toBe(11025);
        expect(audio.channels.map((x) => Array.from(x))).toEqual(frames(c.codes, 2).map((ch) => ch.map((v) => Math.fround(c.expect(v)))));
      });
    }
  }
  for (const bits of [32, 64] as const) {
    it(`${bits}-bit float, values past ±1 kept as they are`, async () => {
      const values = [0.25, -0.5, 1.5, -2, 1e-7, 0.123456789];
      const bytes = buildWav({ formatTag: 3, bits, channels: 3, sampleRateHz: 96000, data: floatBytes(values, bits), extensible: bits === 64 });
      const audio = await decodeAudioBytes(bytes, 'x.wav');
      expect(audio.channels.map((x) => Array.from(x))).toEqual(frames(values.map(Math.fround), 3));
    });
  }
  it('any channel count: 1, 2, 4, 6, 8 with a different value per channel', async () => {
    for (const nCh of [1, 2, 4, 6, 8]) {
      const codes = Array.from({ length: nCh * 5 }, (_, k) => (k % nCh) * 1000 + Math.floor(k / nCh));
      const audio = await decodeAudioBytes(buildWav({ formatTag: 1, bits: 16, channels: nCh, sampleRateHz: 8000, data: intBytes(codes, 2) }), 'x.wav');
      expect(audio.channels).toHaveLength(nCh);
      audio.channels.forEach((x, c) => expect(Array.from(x)).toEqual([0, 1, 2, 3, 4].map((i) => (c * 1000 + i) / 32768)));
    }
  });
  it('skips unknown chunks, with the RIFF pad byte after an odd-sized one (audio-decode 3.12 returned nothing here)', async () => {
    const bytes = buildWav({
      formatTag: 1, bits: 16, channels: 1, sampleRateHz: 8000, data: intBytes([100, -100, 200], 2),
      extraChunks: [{ id: 'junk', body: new Uint8Array([1, 2, 3]) }, { id: 'LIST', body: new Uint8Array(9) }],
    });
    expect(Array.from((await decodeAudioBytes(bytes, 'odd.wav')).channels[0])).toEqual([100 / 32768, -100 / 32768, 200 / 32768]);
  });
  it('reads streamed WAVs whose sizes are placeholders (0xFFFFFFFF, 0 with a placeholder RIFF size) to the end', async () => {
    const data = intBytes([1, 2, 3, 4], 2);
    for (const [dataSize, riffSize] of [[0xffffffff, 0xffffffff], [0, 0], [0x7ffff000, 0x7ffff024]]) {
      const audio = await decodeAudioBytes(buildWav({ formatTag: 1, bits: 16, channels: 1, sampleRateHz: 8000, data, dataSize, riffSize }), 's.wav');
      expect(audio.channels[0]).toHaveLength(4);
    }
  });
  it('ignores a trailing partial frame and chunks after the data chunk', async () => {
    const data = intBytes([1, 2, 3, 4, 5], 2); // 2.5 stereo frames
    const audio = await decodeAudioBytes(buildWav({ formatTag: 1, bits: 16, channels: 2, sampleRateHz: 8000, data }), 'p.wav');
    expect(audio.channels[0]).toHaveLength(2);
  });
});

describe('WAV files written by sox and ffmpeg (committed fixtures)', () => {
  const cases: [string, number, number[]][] = [
    ['sox_u8_mono.wav', 1, [1000]],
    ['sox_s24_stereo.wav', 2, [500, 1000]],
    ['sox_s32_mono.wav', 1, [1000]],
    ['sox_f64_mono.wav', 1, [1000]],
    ['sox_s24_6ch_extensible.wav', 6, [500, 1000, 1500, 2000, 2500, 3000]],
    ['sox_ulaw_mono.wav', 1, [1000]],
    ['ffmpeg_f32_4ch.wav', 4, [500, 1000, 1500, 2000]],
    ['ffmpeg_piped_s16.wav', 1, [1000]],
  ];
  for (const [file, nCh, freqs] of cases) {
    it(`${file}: ${nCh} channel(s) at 8 kHz, 400 frames, tones in channel order`, async () => {
      const audio = await decodeAudioFile(FIXTURES + file);
      expect(audio.sampleRateHz).toBe(8000);
      expect(audio.channels).toHaveLength(nCh);
      audio.channels.forEach((x, c) => {
        expect(x).toHaveLength(400);
        const s = toneStats(x, 8000);
        expect(s.freqHz).toBeCloseTo(freqs[c], -1);
        expect(s.amplitude).toBeGreaterThan(0.48);
        expect(s.amplitude).toBeLessThan(0.52);
      });
    });
  }
});
