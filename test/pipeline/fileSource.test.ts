import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastValueFrom, map, take, toArray } from 'rxjs';
import { openAudioFile } from '../../src/audio/audioReader.ts';
import { writeWav } from '../../src/audio/wav.ts';
import { fileSource } from '../../src/pipeline/fileSource.ts';
import { tempDir } from '../helpers/audio.ts';
import { testScheduler } from './helpers.ts';

// 35 samples at 1 kHz counting up from 0: 10 ms chunks are 10 samples.
const audio = { sampleRateHz: 1000, channels: [Float32Array.from({ length: 35 }, (_, i) => i)] };
const sizes = (c: { channels: Float32Array[] }) => c.channels[0].length;

describe('fileSource: real time', () => {
  it('sends one chunk per chunkS of virtual time, the last one short, then completes', () => {
    testScheduler().run(({ expectObservable }) => {
      const src = fileSource({ audio, realtime: true, loop: false, chunkS: 0.01 });
      expectObservable(src.pipe(map(sizes))).toBe('10ms a 9ms a 9ms a 9ms (b|)', { a: 10, b: 5 });
      expectObservable(src.pipe(map((c) => [c.t0, c.capturedAtMs]))).toBe('10ms a 9ms b 9ms c 9ms (d|)', { a: [0, 10], b: [0.01, 20], c: [0.02, 30], d: [0.03, 40] });
    });
  });

  it('catches up on chunks that fell due while the timer was late, without drift', () => {
    testScheduler().run(({ expectObservable }) => {
      // A 4 ms chunk: due at 4, 8, 12, ... A 4 ms interval fires on time in virtual time: the check is the catch-up arithmetic.
      const src = fileSource({ audio, realtime: true, loop: false, chunkS: 0.004 });
      expectObservable(src.pipe(map((c) => c.capturedAtMs), toArray())).toBe('36ms (a|)', { a: [4, 8, 12, 16, 20, 24, 28, 32, 36] });
    });
  });

  it('loops: wraps the samples, keeps counting stream time', () => {
    testScheduler().run(({ expectObservable }) => {
      const src = fileSource({ audio, realtime: true, loop: true, chunkS: 0.01 }).pipe(take(5));
      expectObservable(src.pipe(map((c) => [c.t0, c.channels[0][0], c.channels[0][9]]))).toBe('10ms a 9ms b 9ms c 9ms d 9ms (e|)', {
        a: [0, 0, 9],
        b: [0.01, 10, 19],
        c: [0.02, 20, 29],
        d: [0.03, 30, 4], // 30..34, then 0..4
        e: [0.04, 5, 14],
      });
    });
  });
});

describe('fileSource: as fast as allowed', () => {
  it('sends audio up to until$ as it rises, never beyond, and completes at the end', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const until$ = cold('-a 8ms b', { a: 0.015, b: 0.1 });
      const src = fileSource({ audio, realtime: false, loop: false, chunkS: 0.01, until$ });
      expectObservable(src.pipe(map((c) => c.t0))).toBe('-(ab) 5ms (cd|)', { a: 0, b: 0.01, c: 0.02, d: 0.03 });
    });
  });

  it('with no until$, sends the whole file in bursts and completes; every sample comes out once', async () => {
    const chunks = await lastValueFrom(fileSource({ audio, realtime: false, loop: false, chunkS: 0.004 }).pipe(toArray()));
    expect(chunks.map((c) => Array.from(c.channels[0])).flat()).toEqual(Array.from(audio.channels[0]));
  });

  it('mixes channels down to mono and rejects empty audio and sub-sample chunks', () => {
    const stereo = { sampleRateHz: 1000, channels: [Float32Array.of(1, 1), Float32Array.of(0, 3)] };
    testScheduler().run(({ expectObservable }) => {
      expectObservable(fileSource({ audio: stereo, realtime: true, loop: false, chunkS: 0.002 }).pipe(map((c) => Array.from(c.channels[0])))).toBe('2ms (a|)', { a: [0.5, 2] });
    });
    expect(() => fileSource({ audio: { sampleRateHz: 1000, channels: [new Float32Array(0)] }, realtime: true, loop: false, chunkS: 0.01 })).toThrow(/no samples/);
    expect(() => fileSource({ audio, realtime: true, loop: false, chunkS: 0.0001 })).toThrow(/chunkS/);
  });
});

describe('fileSource: a file read block by block as the stream goes', () => {
  // 2.5 s of a ramp at 8 kHz, read in 1000-frame blocks, sent in 0.1 s chunks.
  const rate = 8000;
  const ramp = Float32Array.from({ length: 20000 }, (_, i) => ((i % 4000) - 2000) / 4096);
  let dir: { dir: string; cleanup: () => Promise<void> };
  let path: string;
  const file = () => ({ sampleRateHz: rate, open: () => openAudioFile(path, { blockFrames: 1000 }) });
  beforeAll(async () => {
    dir = await tempDir('earshot-file-source-');
    path = join(dir.dir, 'ramp.wav');
    await writeWav(path, { sampleRateHz: rate, channels: [ramp] }, 'float32');
  });
  afterAll(() => dir.cleanup());

  it('sends every sample once, in order, with t0 counting from the start', async () => {
    const chunks = await lastValueFrom(fileSource({ file: file(), realtime: false, loop: false, chunkS: 0.1 }).pipe(toArray()));
    expect(chunks.map((c) => c.t0)).toEqual(Array.from({ length: 25 }, (_, k) => (k * 800) / rate));
    expect(Float32Array.from(chunks.flatMap((c) => Array.from(c.channels[0])))).toEqual(ramp);
  });

  it('loops: opens the file again at its end, the samples continue', async () => {
    const chunks = await lastValueFrom(fileSource({ file: file(), realtime: false, loop: true, chunkS: 0.3 }).pipe(take(20), toArray()));
    const got = chunks.flatMap((c) => Array.from(c.channels[0]));
    expect(got).toHaveLength(20 * 2400);
    got.forEach((v, i) => {
      if (v !== ramp[i % ramp.length]) throw new Error(`sample ${i}: ${v} is not ${ramp[i % ramp.length]}`);
    });
  });

  it('a read error ends the stream with it', async () => {
    const failing = { sampleRateHz: rate, open: async () => { throw new Error('disk gone'); } };
    await expect(lastValueFrom(fileSource({ file: failing, realtime: false, loop: false, chunkS: 0.1 }))).rejects.toThrow(/disk gone/);
    expect(() => fileSource({ realtime: false, loop: false, chunkS: 0.1 })).toThrow(/either audio or file/);
  });
});
