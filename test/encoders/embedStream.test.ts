import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAudioStream } from '../../src/audio/convertReader.ts';
import { loadAudio } from '../../src/audio/load.ts';
import { writeWav } from '../../src/audio/wav.ts';
import { embedReader } from '../../src/encoders/embedStream.ts';
import { openEmbeddingOutput } from '../../src/encoders/embedOutput.ts';
import { createNaiveEncoder } from '../../src/encoders/naive.ts';
import { encodeNpy, NpyWriter } from '../../src/encoders/npy.ts';
import { meanOverFrames, resampleTimestamps } from '../../src/encoders/timestamps.ts';
import type { Encoder, TimestampEmbeddings } from '../../src/encoders/types.ts';
import { loadSpeech, tempDir } from '../helpers/audio.ts';
import { owwEncoder, readManifest } from '../helpers/openwakeword.ts';

let dir: string;
let cleanup: () => Promise<void>;
let clip: string;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('earshot-embed-stream-'));
  // Four digits back to back, about 3.4 s: many 1000-frame blocks, past openWakeWord's warm-up.
  const digits = await Promise.all([1, 2, 3, 4].map((d) => loadSpeech(d, 16000)));
  const joined = new Float32Array(digits.reduce((n, d) => n + d.length, 0));
  digits.reduce((offset, d) => (joined.set(d, offset), offset + d.length), 0);
  clip = join(dir, 'four-digits.wav');
  await writeWav(clip, { sampleRateHz: 16000, channels: [joined] }, 'pcm16');
});
afterAll(() => cleanup());

/** The whole-file path of `earshot embed` before it streamed: decode, embed the clip, regrid, mean. */
async function wholeFile(enc: Encoder, hopS?: number): Promise<{ ts: TimestampEmbeddings; scene: Float32Array }> {
  let ts = await enc.timestampEmbeddings((await loadAudio(clip)).channels);
  if (hopS !== undefined) ts = resampleTimestamps(ts, hopS);
  return { ts, scene: meanOverFrames(ts) };
}

/** The chunked path: blocks of 1000 frames (62.5 ms) through embedReader, frames collected. */
async function chunked(enc: Encoder, hopS?: number) {
  const reader = await openAudioStream(clip, { sampleRateHz: 16000, blockFrames: 1000 });
  const rows: number[] = [];
  const times: number[] = [];
  try {
    const summary = await embedReader(enc, reader, {
      hopS,
      onFrames: (ts) => {
        rows.push(...ts.embeddings);
        times.push(...ts.timestampsS);
      },
    });
    return { ...summary, rows, times };
  } finally {
    await reader.close();
  }
}

describe('embedReader: a file embedded block by block gives the whole-file embeddings', () => {
  for (const [label, make] of [['openWakeWord', owwEncoder], ['naive log-mel', async () => createNaiveEncoder(readManifest('naive-logmel'))]] as const) {
    for (const hopS of [undefined, 0.04]) {
      it(`${label}${hopS ? `, --hop ${hopS}` : ''}: same frames, timestamps and scene embedding, bit for bit`, async () => {
        const enc = await make();
        const want = await wholeFile(enc, hopS);
        const got = await chunked(enc, hopS);
        expect(got.frames).toBe(want.ts.frames);
        expect(got.frames).toBeGreaterThan(40);
        expect(got.times).toEqual(Array.from(want.ts.timestampsS));
        expect(Float32Array.from(got.rows)).toEqual(want.ts.embeddings);
        expect(got.scene).toEqual(want.scene);
      });
    }
  }
});

describe('npy output written as it comes', () => {
  it('NpyWriter writes the bytes encodeNpy writes for the whole array, and abort leaves nothing', async () => {
    const data = Float32Array.from({ length: 7 * 5 }, (_, i) => i * 0.25 - 3);
    const w = await NpyWriter.create(join(dir, 'rows.npy'), 'float32', [5]);
    await w.append(data.subarray(0, 10));
    await w.append(data.subarray(10, 10));
    await w.append(data.subarray(10));
    await w.close();
    expect(new Uint8Array(await readFile(join(dir, 'rows.npy')))).toEqual(encodeNpy(data, [7, 5]));
    const empty = await NpyWriter.create(join(dir, 'empty.npy'), 'float64', []);
    await empty.close();
    expect(new Uint8Array(await readFile(join(dir, 'empty.npy')))).toEqual(encodeNpy(new Float64Array(0), [0]));
    const dropped = await NpyWriter.create(join(dir, 'dropped.npy'), 'float32', [5]);
    await dropped.append(data);
    await dropped.abort();
    await expect(readFile(join(dir, 'dropped.npy'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('openEmbeddingOutput npy: the three files of the whole-file writer, byte for byte', async () => {
    const enc = await owwEncoder();
    const { ts, scene } = await wholeFile(enc);
    const reader = await openAudioStream(clip, { blockFrames: 1000 });
    const out = await openEmbeddingOutput(join(dir, 'e.npy'), 'npy', 96, {});
    await out.finish(await embedReader(enc, reader, { onFrames: (t) => out.frames(t) }));
    await reader.close();
    expect(new Uint8Array(await readFile(join(dir, 'e.npy')))).toEqual(encodeNpy(ts.embeddings, [ts.frames, 96]));
    expect(new Uint8Array(await readFile(join(dir, 'e.npy.timestamps.npy')))).toEqual(encodeNpy(ts.timestampsS, [ts.frames]));
    expect(new Uint8Array(await readFile(join(dir, 'e.npy.scene.npy')))).toEqual(encodeNpy(scene, [96]));
  });
});
