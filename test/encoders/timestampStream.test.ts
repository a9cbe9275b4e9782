import { describe, expect, it } from 'vitest';
import { resampleTimestamps, TimestampRegrid } from '../../src/encoders/timestamps.ts';
import { openTimestampStream } from '../../src/encoders/timestampStream.ts';
import { createNaiveEncoder } from '../../src/encoders/naive.ts';
import type { Encoder, TimestampEmbeddings } from '../../src/encoders/types.ts';
import { familyEncoder, maxAbsDiff, testTone } from '../helpers/families.ts';
import { owwEncoder, readManifest } from '../helpers/openwakeword.ts';

/** Piece sizes that cross every boundary: empty, tiny, odd, larger than a window. */
const PIECES = [0, 1, 999, 7777, 0, 333, 20000, 12345];

/** The clip pushed in PIECES (cycled), then end(): all the frames, concatenated. */
async function streamed(enc: Encoder, channels: Float32Array[]): Promise<TimestampEmbeddings> {
  const stream = openTimestampStream(enc);
  const runs: TimestampEmbeddings[] = [];
  for (let at = 0, k = 0; at < channels[0].length; k++) {
    const n = PIECES[k % PIECES.length];
    runs.push(await stream.push(channels.map((c) => c.subarray(at, at + n))));
    at += n;
  }
  runs.push(await stream.end());
  return join(runs);
}

function join(runs: TimestampEmbeddings[]): TimestampEmbeddings {
  const dim = runs[0].dim;
  const frames = runs.reduce((n, r) => n + r.frames, 0);
  const embeddings = new Float32Array(frames * dim);
  const timestampsS = new Float64Array(frames);
  let at = 0;
  for (const r of runs) {
    embeddings.set(r.embeddings.subarray(0, r.frames * dim), at * dim);
    timestampsS.set(r.timestampsS, at);
    at += r.frames;
  }
  return { dim, frames, embeddings, timestampsS };
}

async function expectSameFrames(enc: Encoder, channels: Float32Array[]): Promise<void> {
  const whole = await enc.timestampEmbeddings(channels);
  const pieces = await streamed(enc, channels);
  expect(pieces.frames).toBe(whole.frames);
  expect(whole.frames).toBeGreaterThan(0);
  expect(Array.from(pieces.timestampsS)).toEqual(Array.from(whole.timestampsS));
  expect(maxAbsDiff(pieces.embeddings, whole.embeddings)).toBeLessThan(1e-5);
}

describe('timestampStream: a clip fed in pieces gives the frames of the whole clip', () => {
  const clip = testTone(3.3);
  it('openWakeWord speech embedding', async () => expectSameFrames(await owwEncoder(), [clip]));
  it('naive log-mel, also for a clip shorter than one frame', async () => {
    const enc = createNaiveEncoder(readManifest('naive-logmel'));
    await expectSameFrames(enc, [clip]);
    await expectSameFrames(enc, [clip.subarray(0, 100)]);
  });
  it('waveform family (wav2vec2, 1 s windows with context), Kaldi fbank family (AST), Whisper', async () => {
    for (const id of ['wav2vec2-tiny-random', 'ast-tiny-random', 'whisper-encoder-tiny-random']) await expectSameFrames(await familyEncoder(id), [clip]);
  });
  it('a two-channel waveform model, and a clip ending exactly on a window boundary', async () => {
    await expectSameFrames(await familyEncoder('wavjepa-nat-like-tiny-random'), [clip, testTone(3.3, 2)]);
    await expectSameFrames(await familyEncoder('wav2vec2-tiny-random'), [clip.subarray(0, 32000)]);
  });
  it('the windowed families reject an empty clip at end(), as the whole-clip call does', async () => {
    const stream = openTimestampStream(await familyEncoder('wav2vec2-tiny-random'));
    await stream.push([new Float32Array(0)]);
    await expect(stream.end()).rejects.toMatchObject({ code: 'EARSHOT_EMPTY_AUDIO' });
  });
  it('an encoder without a stream of its own is buffered and run whole at the end', async () => {
    const own = createNaiveEncoder(readManifest('naive-logmel'));
    const plain: Encoder = { manifest: own.manifest, timestampEmbeddings: (c) => own.timestampEmbeddings(c), sceneEmbedding: (c) => own.sceneEmbedding(c) };
    await expectSameFrames(plain, [clip]);
  });
});

describe('TimestampRegrid: resampleTimestamps over frames that come in runs', () => {
  const dim = 3;
  const frames = 23;
  const whole: TimestampEmbeddings = {
    dim,
    frames,
    embeddings: Float32Array.from({ length: frames * dim }, (_, i) => Math.sin(i * 0.7) * 10),
    // Uneven first steps (openWakeWord's warm-up), then a steady 80 ms.
    timestampsS: Float64Array.from({ length: frames }, (_, k) => (k < 5 ? 0.3 + 0.04 * k : 0.46 + 0.08 * (k - 4))),
  };
  const run = (from: number, to: number): TimestampEmbeddings => ({
    dim,
    frames: to - from,
    embeddings: whole.embeddings.slice(from * dim, to * dim),
    timestampsS: whole.timestampsS.slice(from, to),
  });
  for (const hopS of [0.04, 0.08, 0.1, 0.5]) {
    it(`hop ${hopS} s: the same grid and values, bit for bit`, () => {
      const grid = new TimestampRegrid(hopS);
      const got = join([grid.push(run(0, 0)), grid.push(run(0, 1)), grid.push(run(1, 7)), grid.push(run(7, 8)), grid.push(run(8, frames)), grid.end()]);
      const want = resampleTimestamps(whole, hopS);
      expect(Array.from(got.timestampsS)).toEqual(Array.from(want.timestampsS));
      expect(Array.from(got.embeddings)).toEqual(Array.from(want.embeddings));
    });
  }
  it('one frame or none: passed through as they are', () => {
    const one = new TimestampRegrid(0.1);
    expect(join([one.push(run(0, 1)), one.end()])).toEqual(run(0, 1));
    expect(new TimestampRegrid(0.1).end().frames).toBe(0);
  });
});
