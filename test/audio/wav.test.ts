import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav, fitWavFormat, PCM_CEILING_DBFS, writeWav } from '../../src/audio/wav.ts';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { rejection, sine, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
const codeOf = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as { code?: string }).code; } return undefined; };

describe('writeWav then decode: round trips for both formats and 1, 2, 4, 6 channels', () => {
  for (const format of ['float32', 'pcm16'] as const) {
    for (const nCh of [1, 2, 4, 6]) {
      it(`${format}, ${nCh} channel(s)`, async () => {
        const channels = Array.from({ length: nCh }, (_, c) => sine(4801, 48000, 250 * (c + 1), 0.9 / (c + 1), c));
        const path = join(dir, `rt_${format}_${nCh}.wav`);
        await writeWav(path, { sampleRateHz: 48000, channels }, format);
        const back = await decodeAudioFile(path);
        expect(back.sampleRateHz).toBe(48000);
        expect(back.channels).toHaveLength(nCh);
        back.channels.forEach((x, c) => {
          expect(x).toHaveLength(4801);
          if (format === 'float32') expect(x).toEqual(channels[c]);
          else for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - channels[c][i])).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
        });
      });
    }
  }
  it('pcm16 values on the 1/32768 grid come back exactly', async () => {
    const grid = Float32Array.from([-1, -0.5, 0, 1 / 32768, 12345 / 32768, 32767 / 32768]);
    const path = join(dir, 'grid.wav');
    await writeWav(path, { sampleRateHz: 8000, channels: [grid] }, 'pcm16');
    expect((await decodeAudioFile(path)).channels[0]).toEqual(grid);
  });
});

describe('writeWav levels: a 16-bit file louder than full scale is scaled down, never clipped or wrapped', () => {
  it('pcm16: one gain for every channel puts the peak at -0.1 dBFS, and the levels say so', async () => {
    const loud = sine(4801, 48000, 440, 3, 0);
    const quiet = sine(4801, 48000, 660, 0.5, 1);
    const path = join(dir, 'loud16.wav');
    const levels = await writeWav(path, { sampleRateHz: 48000, channels: [loud, quiet] }, 'pcm16');
    const overFullScale = loud.filter((v) => Math.abs(v) > 1).length;
    expect(overFullScale).toBeGreaterThan(1000);
    expect(levels.peakDbfs).toBeCloseTo(20 * Math.log10(3), 3);
    expect(levels.clippedSamples).toBe(overFullScale);
    const gain = 10 ** (levels.outputGainDb / 20);
    expect(levels.outputGainDb).toBeCloseTo(PCM_CEILING_DBFS - 20 * Math.log10(3), 3);
    const back = await decodeAudioFile(path);
    // Every sample is the input times the one gain, to within rounding: nothing clipped, nothing wrapped.
    back.channels.forEach((x, c) => {
      const want = [loud, quiet][c];
      for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - want[i] * gain)).toBeLessThanOrEqual(0.5 / 32768 + 1e-7);
    });
    const peakBack = Math.max(...back.channels[0].map(Math.abs));
    expect(20 * Math.log10(peakBack)).toBeCloseTo(PCM_CEILING_DBFS, 2);
  });
  it('float32 keeps the values past full scale and reports them; a pcm16 file within full scale gets no gain', async () => {
    const hot = Float32Array.of(0, 2, -1.5, 1, 0.25);
    const path = join(dir, 'hot32.wav');
    expect(await writeWav(path, { sampleRateHz: 8000, channels: [hot] }, 'float32')).toEqual({ peakDbfs: 20 * Math.log10(2), clippedSamples: 2, outputGainDb: 0 });
    expect((await decodeAudioFile(path)).channels[0]).toEqual(hot);
    const fits = Float32Array.of(0.5, -1, 1, 0);
    const { audio, levels } = fitWavFormat({ sampleRateHz: 8000, channels: [fits] }, 'pcm16');
    expect(levels).toEqual({ peakDbfs: 0, clippedSamples: 0, outputGainDb: 0 });
    expect(audio.channels[0]).toBe(fits);
  });
  it('silence: -Infinity dBFS, nothing clipped, no gain', () => {
    const { levels } = fitWavFormat({ sampleRateHz: 8000, channels: [new Float32Array(16)] }, 'pcm16');
    expect(levels).toEqual({ peakDbfs: -Infinity, clippedSamples: 0, outputGainDb: 0 });
  });
});

describe('encodeWav', () => {
  it('pcm16 rounds to nearest and clamps (never wraps) past full scale', () => {
    const bytes = encodeWav({ sampleRateHz: 8000, channels: [Float32Array.from([1, -1, 1.5, -3, 0.6 / 32768, -0.4 / 32768, 0.49 / 32768])] }, 'pcm16');
    expect(bytes).toHaveLength(44 + 14);
    expect(Array.from(new Int16Array(bytes.slice(44).buffer))).toEqual([32767, -32768, 32767, -32768, 1, 0, 0]);
  });
  it('writes a canonical 44-byte PCM header, IEEE float with a fact chunk, and EXTENSIBLE above 2 channels', () => {
    const mono = encodeWav({ sampleRateHz: 22050, channels: [new Float32Array(3)] }, 'pcm16');
    const dv = new DataView(mono.buffer);
    expect([ascii(mono, 0, 4), ascii(mono, 8, 8), ascii(mono, 36, 4)]).toEqual(['RIFF', 'WAVEfmt ', 'data']);
    expect([dv.getUint32(4, true), dv.getUint16(20, true), dv.getUint16(22, true), dv.getUint32(24, true), dv.getUint32(28, true), dv.getUint16(32, true), dv.getUint16(34, true), dv.getUint32(40, true)])
      .toEqual([mono.length - 8, 1, 1, 22050, 44100, 2, 16, 6]);

    const float = encodeWav({ sampleRateHz: 16000, channels: [new Float32Array(5), new Float32Array(5)] }, 'float32');
    const fv = new DataView(float.buffer);
    expect([fv.getUint16(20, true), fv.getUint16(34, true), ascii(float, 38, 4), fv.getUint32(46, true), ascii(float, 50, 4), fv.getUint32(54, true)])
      .toEqual([3, 32, 'fact', 5, 'data', 40]);

    const six = encodeWav({ sampleRateHz: 16000, channels: Array.from({ length: 6 }, () => new Float32Array(2)) }, 'float32');
    const sv = new DataView(six.buffer);
    expect([sv.getUint32(16, true), sv.getUint16(20, true), sv.getUint16(22, true), sv.getUint16(36, true), sv.getUint32(40, true), sv.getUint16(44, true)])
      .toEqual([40, 0xfffe, 6, 22, 0, 3]);
  });
  it('a zero-length input gives a valid WAV with an empty data chunk', () => {
    const bytes = encodeWav({ sampleRateHz: 8000, channels: [new Float32Array(0)] }, 'pcm16');
    expect(bytes).toHaveLength(44);
  });
  it('rejects bad input with clear error codes', () => {
    const ok = new Float32Array(4);
    expect(codeOf(() => encodeWav({ sampleRateHz: 8000, channels: [] }, 'pcm16'))).toBe('EARSHOT_INVALID_OPTION');
    expect(codeOf(() => encodeWav({ sampleRateHz: 8000, channels: [ok, new Float32Array(3)] }, 'pcm16'))).toBe('EARSHOT_INVALID_OPTION');
    expect(codeOf(() => encodeWav({ sampleRateHz: 44100.5, channels: [ok] }, 'pcm16'))).toBe('EARSHOT_INVALID_OPTION');
    expect(codeOf(() => encodeWav({ sampleRateHz: 8000, channels: [ok] }, 'mp3' as 'pcm16'))).toBe('EARSHOT_INVALID_OPTION');
    expect(codeOf(() => encodeWav({ sampleRateHz: 8000, channels: [Float32Array.from([0, NaN])] }, 'float32'))).toBe('EARSHOT_NON_FINITE_AUDIO');
  });
});

describe('writeWav is atomic', () => {
  it('replaces an existing file and leaves no temp file behind', async () => {
    const path = join(dir, 'replace.wav');
    await writeFile(path, 'old');
    await writeWav(path, { sampleRateHz: 8000, channels: [sine(100, 8000, 440, 0.5)] }, 'pcm16');
    expect((await readFile(path)).length).toBe(244);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
  it('a failed write throws WRITE_FAILED naming the path and reason, and leaves nothing', async () => {
    const missing = join(dir, 'no-such-dir', 'out.wav');
    const err = await rejection(writeWav(missing, { sampleRateHz: 8000, channels: [new Float32Array(4)] }, 'pcm16'));
    expect(err.code).toBe('EARSHOT_WRITE_FAILED');
    expect(err.message).toContain(missing);
    expect(err.message).toMatch(/directory does not exist/);

    const target = join(dir, 'is-a-dir.wav');
    await mkdir(join(target, 'child'), { recursive: true });
    const err2 = await rejection(writeWav(target, { sampleRateHz: 8000, channels: [new Float32Array(4)] }, 'pcm16'));
    expect(err2.code).toBe('EARSHOT_WRITE_FAILED');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
