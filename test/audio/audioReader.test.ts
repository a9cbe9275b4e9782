import { readdirSync, readlinkSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudioFile, readAll } from '../../src/audio/audioReader.ts';
import { convertReader } from '../../src/audio/convertReader.ts';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { buildWav, floatBytes, intBytes } from './wavBuilder.ts';
import { FIXTURES, rejection, tempDir } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await tempDir()));
afterAll(() => cleanup());

/** Every block of a reader, in order, and the reader's header fields. */
async function blocksOf(path: string, blockFrames: number) {
  const reader = await openAudioFile(path, { blockFrames });
  const blocks: Float32Array[][] = [];
  try {
    for (let b = await reader.read(); b !== null; b = await reader.read()) blocks.push(b);
  } finally {
    await reader.close();
  }
  return { reader, blocks };
}

describe('openAudioFile: block by block, the same samples as a whole-file decode', () => {
  it('every committed fixture (WAV of every kind, FLAC, Ogg Vorbis, MP3) in blocks of at most 1000 frames', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => /\.(wav|flac|ogg|mp3)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of files) {
      const whole = await decodeAudioFile(FIXTURES + file);
      const { reader, blocks } = await blocksOf(FIXTURES + file, 1000);
      expect(reader.sampleRateHz, file).toBe(whole.sampleRateHz);
      expect(reader.channelCount, file).toBe(whole.channels.length);
      expect(reader.frames, file).toBe(file.endsWith('.wav') ? whole.channels[0].length : null);
      for (const b of blocks) {
        expect(b).toHaveLength(whole.channels.length);
        expect(b[0].length).toBeGreaterThan(0);
        expect(b[0].length).toBeLessThanOrEqual(1000);
      }
      whole.channels.forEach((x, c) => expect(Float32Array.from(blocks.flatMap((b) => Array.from(b[c]))), `${file} channel ${c}`).toEqual(x));
    }
  });

  it('with reuse, the same samples; a PCM or float WAV returns them in the arrays of its first block', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => /\.(wav|flac|ogg|mp3)$/.test(f));
    for (const file of files) {
      const { blocks } = await blocksOf(FIXTURES + file, 1000);
      const reader = await openAudioFile(FIXTURES + file, { blockFrames: 1000 });
      const buffers = new Set<ArrayBufferLike>();
      try {
        for (const want of blocks) {
          const got = (await reader.read(true))!;
          expect(got, file).toEqual(want);
          got.forEach((x) => buffers.add(x.buffer));
        }
        expect(await reader.read(true)).toBeNull();
      } finally {
        await reader.close();
      }
      // sox_ulaw_mono.wav is decoded whole, then served in fresh copies.
      if (file.endsWith('.wav') && file !== 'sox_ulaw_mono.wav') expect(buffers.size, file).toBe(blocks[0].length);
    }
  });

  it('convertReader with reuse: a stereo file mixed down to mono and resampled, the samples of fresh blocks', async () => {
    const file = join(dir, 'stereo.wav');
    const values = Array.from({ length: 2 * 5000 }, (_, i) => Math.round(8000 * Math.sin(i * (i % 2 ? 0.01 : 0.03))));
    await writeFile(file, buildWav({ formatTag: 1, bits: 16, channels: 2, sampleRateHz: 8000, data: intBytes(values, 2) }));
    for (const options of [{ mono: true }, { mono: true, sampleRateHz: 16000 }, { sampleRateHz: 22050 }]) {
      const read = async (reuse: boolean) => {
        const reader = await convertReader(await openAudioFile(file, { blockFrames: 700 }), options);
        const out: number[][] = Array.from({ length: reader.channelCount }, () => []);
        const buffers = new Set<ArrayBufferLike>();
        for (let b = await reader.read(reuse); b !== null; b = await reader.read(reuse)) b.forEach((x, c) => (out[c].push(...x), buffers.add(x.buffer)));
        await reader.close();
        return { out, buffers: buffers.size };
      };
      const [fresh, reused] = [await read(false), await read(true)];
      expect(reused.out, JSON.stringify(options)).toEqual(fresh.out);
      expect(fresh.out[0].length).toBeGreaterThan(4000);
      // Only a plain mix-down can hand back its own array; the resampler's output is fresh.
      if (options.sampleRateHz === undefined) expect(reused.buffers).toBe(1);
    }
  });

  it('finds the data chunk behind a chunk larger than the first read (300 kB of metadata)', async () => {
    const plain = buildWav({ formatTag: 1, bits: 16, channels: 1, sampleRateHz: 8000, data: intBytes([1, -2, 3, -4], 2) });
    const list = new Uint8Array(8 + 300_001 + 1);
    list.set([0x4c, 0x49, 0x53, 0x54]); // LIST
    new DataView(list.buffer).setUint32(4, 300_001, true);
    const bytes = new Uint8Array([...plain.subarray(0, 36), ...list, ...plain.subarray(36)]);
    await writeFile(join(dir, 'meta.wav'), bytes);
    const audio = await readAll(await openAudioFile(join(dir, 'meta.wav')));
    expect(Array.from(audio.channels[0], (v) => v * 32768)).toEqual([1, -2, 3, -4]);
  });

  it('a NaN in a later block is named by its index in the file, not in the block', async () => {
    const values = Array.from({ length: 2 * 2500 }, (_, i) => (i === 2 * 2345 + 1 ? NaN : 0.25));
    await writeFile(join(dir, 'nan.wav'), buildWav({ formatTag: 3, bits: 32, channels: 2, sampleRateHz: 8000, data: floatBytes(values, 32) }));
    const reader = await openAudioFile(join(dir, 'nan.wav'), { blockFrames: 1000 });
    await expect(reader.read()).resolves.toHaveLength(2);
    await expect(reader.read()).resolves.toHaveLength(2);
    const err = await rejection(reader.read());
    await reader.close();
    expect(err.code).toBe('EARSHOT_NON_FINITE_AUDIO');
    expect(err.message).toMatch(/sample 2345 of channel 1 is NaN/);
  });

  it('errors of the header come at open, and close the file; bad block sizes are refused', async () => {
    await writeFile(join(dir, 'short.wav'), buildWav({ formatTag: 1, bits: 16, channels: 1, sampleRateHz: 8000, data: intBytes([1, 2], 2), dataSize: 40 }));
    expect((await rejection(openAudioFile(join(dir, 'short.wav')))).code).toBe('EARSHOT_CORRUPT_AUDIO');
    expect((await rejection(openAudioFile(join(dir, 'nope.wav')))).code).toBe('EARSHOT_FILE_NOT_FOUND');
    expect((await rejection(openAudioFile(FIXTURES + 'sox_u8_mono.wav', { blockFrames: 0 }))).code).toBe('EARSHOT_INVALID_OPTION');
    const openFiles = readdirSync('/proc/self/fd').map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ''; // the directory's own descriptor, gone once listed
      }
    });
    for (const file of ['short.wav', 'sox_u8_mono.wav']) expect(openFiles.filter((f) => f.endsWith(file))).toEqual([]);
  });
});
