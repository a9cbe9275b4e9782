import { describe, expect, it } from 'vitest';
import { convStackFrames, convStackTiming, planWindows, WAV2VEC2_CONV_STACK } from '../../src/encoders/families/index.ts';
import { loadSpeech } from '../helpers/audio.ts';
import { expectFrames, familyEncoder, familyReference, grid, maxAbsDiff, testTone } from '../helpers/families.ts';

const speech = await loadSpeech(3); // 13414 samples, 0.838 s

describe('timing and windows', () => {
  it("wav2vec 2.0's conv stack: 400-sample receptive field, 320-sample hop", () => {
    expect(convStackTiming(WAV2VEC2_CONV_STACK)).toEqual({ receptiveFieldSamples: 400, hopSamples: 320 });
    expect(convStackFrames(WAV2VEC2_CONV_STACK, 16000)).toBe(49);
    expect(convStackFrames(WAV2VEC2_CONV_STACK, 399)).toBe(0);
  });

  it('cuts non-overlapping windows, each with its context, the last one short', () => {
    expect(planWindows(50000, 16000, 80)).toEqual([
      { start: 0, end: 16080, own: 16000 },
      { start: 16000, end: 32080, own: 16000 },
      { start: 32000, end: 48080, own: 16000 },
      { start: 48000, end: 50000, own: 2000 },
    ]);
  });
});

describe('raw waveform, mono [B,N] (wav2vec 2.0 architecture, tiny)', async () => {
  const enc = await familyEncoder('wav2vec2-tiny-random');

  it('matches torch on digit 3 (normalised as Wav2Vec2FeatureExtractor does) within 1e-4', async () => {
    const ref = familyReference('wav2vec2-tiny-random');
    const ts = await enc.timestampEmbeddings([speech]);
    expect(ts.frames).toBe(ref.frames);
    expect(maxAbsDiff(ts.embeddings, ref.data)).toBeLessThan(1e-4);
  });

  // Frame t covers samples [320t, 320t + 400): centre 12.5 ms + 20 ms · t, one grid across windows (windowS 1 s = 50 hops).
  it.each([
    ['shorter than a window', 0.5, 24],
    ['exactly one window', 1, 49],
    ['three windows and a remainder', 3.3, 164],
  ])('%s (%f s): frames from the conv stack, on one 20 ms grid', async (_, seconds, frames) => {
    const audio = testTone(seconds);
    expect(convStackFrames(WAV2VEC2_CONV_STACK, audio.length)).toBe(frames);
    await expectFrames(enc, [audio], grid(frames, 0.0125, 0.02));
  });

  it('keeps one frame for a clip shorter than the receptive field', async () => {
    await expectFrames(enc, [testTone(0.005)], [0.0125]);
  });

  it('is deterministic and mixes multichannel input down to mono', async () => {
    const a = testTone(1.7);
    const b = testTone(1.7, 2);
    const first = await enc.timestampEmbeddings([a, b]);
    expect((await enc.timestampEmbeddings([a, b])).embeddings).toEqual(first.embeddings);
    const mix = a.map((v, i) => v / 2 + b[i] / 2);
    expect((await enc.timestampEmbeddings([mix])).embeddings).toEqual(first.embeddings);
  });

  it('rejects empty audio and unequal channels', async () => {
    await expect(enc.timestampEmbeddings([new Float32Array(0)])).rejects.toThrow(/zero samples/);
    await expect(enc.timestampEmbeddings([new Float32Array(10), new Float32Array(9)])).rejects.toThrow(/channel 1 has 9 samples/);
  });
});

describe('raw waveform, multichannel [B,C,N] (WavJEPA-Nat-like, tiny: 2 ch, 2.01 s fixed)', async () => {
  const enc = await familyEncoder('wavjepa-nat-like-tiny-random');
  const stereo = [speech, speech.slice().reverse().map((v) => v * 0.5)];

  it('matches torch (each channel instance-normalised, zero-padded to 2.01 s) within 1e-4', async () => {
    const ref = familyReference('wavjepa-nat-like-tiny-random');
    const ts = await enc.timestampEmbeddings(stereo);
    expect(ts.frames).toBe(ref.frames);
    expect(maxAbsDiff(ts.embeddings, ref.data)).toBeLessThan(1e-4);
  });

  it.each([
    ['shorter than a window', 1, grid(50, 0.0125, 0.02)],
    ['exactly one window', 2.01, grid(100, 0.0125, 0.02)],
    ['two windows and a remainder', 5, [...grid(100, 0.0125, 0.02), ...grid(100, 2.0225, 0.02), ...grid(49, 4.0325, 0.02)]],
  ])('%s (%f s): frames inside the clip, offset by their window', async (_, seconds, expected) => {
    await expectFrames(enc, [testTone(seconds), testTone(seconds, 3)], expected);
  });

  it('given mono audio, says which channels it needs', async () => {
    await expect(enc.timestampEmbeddings([speech])).rejects.toThrow(/model "wavjepa-nat-like-tiny-random" takes 2-channel audio; got 1 channel\. .*binaural/);
    await expect(enc.timestampEmbeddings([speech, speech, speech])).rejects.toMatchObject({ code: 'EARSHOT_WRONG_CHANNELS' });
  });
});

describe('Kaldi fbank [B,T,F] (AST architecture, tiny: 128 frames)', async () => {
  const enc = await familyEncoder('ast-tiny-random');

  it("matches torch on torchaudio's fbank, padded and normalised as ASTFeatureExtractor, within 1e-4", async () => {
    const ref = familyReference('ast-tiny-random');
    const ts = await enc.timestampEmbeddings([speech]);
    expect(ts.frames).toBe(ref.frames);
    expect(maxAbsDiff(ts.embeddings, ref.data)).toBeLessThan(1e-4);
  });

  // Token t sees fbank frames 10t … 10t + 15: centre 87.5 ms + 100 ms · t; windows of 1.28 s.
  it.each([
    ['shorter than a window', 0.5, grid(5, 0.0875, 0.1)],
    ['exactly one window', 1.28, grid(12, 0.0875, 0.1)],
    ['two windows and a remainder', 3, [...grid(12, 0.0875, 0.1), ...grid(12, 1.3675, 0.1), ...grid(4, 2.6475, 0.1)]],
  ])('%s (%f s): patch-token frames with their times', async (_, seconds, expected) => {
    await expectFrames(enc, [testTone(seconds)], expected);
  });

  it('a pooled output ("B,D") gives one vector per window, at the centre of its audio', async () => {
    const pooled = await familyEncoder('ast-tiny-random', { output: { name: 'pooler_output', layout: 'B,D' }, hopS: 1.28 });
    await expectFrames(pooled, [testTone(3)], [0.64, 1.92, 2.56 + 0.22]);
  });

  it('sees whole frames across window edges: a window equals the same audio on its own', async () => {
    const audio = testTone(2.56);
    const both = await enc.timestampEmbeddings([audio]);
    const second = await enc.timestampEmbeddings([audio.subarray(20480)]);
    expect(maxAbsDiff(both.embeddings.subarray(12 * 32), second.embeddings)).toBeLessThan(1e-6);
  });
});

describe('Whisper log-mel [B,80,3000] (Whisper encoder architecture, tiny)', async () => {
  const enc = await familyEncoder('whisper-encoder-tiny-random');

  it("matches torch on Whisper's log-mel of digit 3 (padded to 30 s) within 1e-4", async () => {
    const ref = familyReference('whisper-encoder-tiny-random');
    const ts = await enc.timestampEmbeddings([speech]);
    expect(ts.frames).toBe(ref.frames);
    expect(maxAbsDiff(ts.embeddings, ref.data)).toBeLessThan(1e-4);
  });

  it.each([
    ['shorter than a window', 1, 50],
    ['exactly one window', 30, 1500],
    ['two windows and a remainder', 65, 3250],
  ])('%s (%f s): 50 frames a second on one 20 ms grid', async (_, seconds, frames) => {
    await expectFrames(enc, [testTone(seconds)], grid(frames, 0, 0.02));
  });

  it('with windows shorter than the 30 s chunk, drops the frames of the padding after each window', async () => {
    const short = await familyEncoder('whisper-encoder-tiny-random', { windowS: 10 });
    await expectFrames(short, [testTone(25)], grid(1250, 0, 0.02));
  });
});

describe('manifest and graph checks', () => {
  it('names a missing input, a wrong layout and a window longer than the chunk', async () => {
    await expect(familyEncoder('wav2vec2-tiny-random', { input: { name: 'audio', layout: 'B,N' } })).rejects.toThrow(/no input 'audio' \(its inputs: 'input_values'\)/);
    await expect(familyEncoder('ast-tiny-random', { input: { name: 'input_values', layout: 'B,F,T' } })).rejects.toThrow(/takes "B,T,F"/);
    await expect(familyEncoder('whisper-encoder-tiny-random', { windowS: 31 })).rejects.toMatchObject({ code: 'EARSHOT_MODEL_MISMATCH' });
    await expect(familyEncoder('wavjepa-nat-like-tiny-random', { windowS: 3 })).rejects.toThrow(/takes exactly 32160/);
  });

  it('rejects an embedding size the graph does not give, on first use', async () => {
    const enc = await familyEncoder('wav2vec2-tiny-random', { embeddingSize: 64 });
    await expect(enc.timestampEmbeddings([speech])).rejects.toThrow(/embeddingSize/);
  });

  it('leaves other front-ends to their own factories', async () => {
    await expect(familyEncoder('wav2vec2-tiny-random', { frontEnd: { kind: 'openwakeword' } })).rejects.toMatchObject({ code: 'EARSHOT_INVALID_MODEL' });
  });
});
