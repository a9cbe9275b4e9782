import { beforeAll, describe, expect, it } from 'vitest';
import { OwwStream, OWW_EMBEDDING_DIM } from '../../src/encoders/owwStream.ts';
import { createNaiveEncoder } from '../../src/encoders/naive.ts';
import { encoderWindowEmbedder, owwWindowEmbedder } from '../../src/pipeline/windowEmbedder.ts';
import { windowSpec } from '../../src/pipeline/streamConfig.ts';
import { LIVE_VAD_CHUNK_SAMPLES, VadTracker } from '../../src/pipeline/vadInternals.ts';
import type { AudioWindow } from '../../src/pipeline/types.ts';
import { openSileroVad } from '../../src/probes/vad.ts';
import { loadProbeManifest } from '../../src/probes/probeManifest.ts';
import type { GraphRunner } from '../../src/encoders/types.ts';
import { modelFilePath, SHIPPED_MODEL_DIR } from '../../src/encoders/openwakeword.ts';
import { loadSpeech } from '../helpers/audio.ts';
import { loader, readManifest } from '../helpers/openwakeword.ts';

let speech: Float32Array;
let mel: GraphRunner;
let embedding: GraphRunner;
const oww = readManifest('oww-speech-embedding');

beforeAll(async () => {
  const digits = await Promise.all([1, 4, 7, 9].map((d) => loadSpeech(d)));
  speech = new Float32Array(digits.reduce((n, d) => n + d.length, 0));
  digits.reduce((at, d) => (speech.set(d, at), at + d.length), 0);
  mel = await loader.open(modelFilePath(oww, 'melspectrogram', SHIPPED_MODEL_DIR));
  embedding = await loader.open(modelFilePath(oww, 'embedding', SHIPPED_MODEL_DIR));
});

const windowOf = (clean: Float32Array, degraded = clean): AudioWindow => ({ model: 'm', seq: 0, startSample: 0, t0S: 0, t1S: 0, capturedAtMs: 0, conditionVersion: 0, clean: [clean], degraded: [degraded] });

describe('owwWindowEmbedder', () => {
  const spec = windowSpec(oww);
  const windowAt = (x: Float32Array, k: number, y = x) => {
    const start = spec.offsetSamples + k * spec.hopSamples;
    return { ...windowOf(x.subarray(start, start + spec.windowSamples), y.subarray(start, start + spec.windowSamples)), startSample: start };
  };

  it("each window's embedding is openWakeWord's streaming embedding at the hop that ends it (upstream's hop 11 on), in any order", async () => {
    const stream = await new OwwStream(mel, embedding).push(speech);
    const windows = Math.floor((speech.length - spec.offsetSamples - spec.windowSamples) / spec.hopSamples) + 1;
    expect(windows).toBe(stream.count - 10);
    const embedder = owwWindowEmbedder(oww, mel, embedding);
    const half = speech.map((v) => v * 0.5);
    // In order (one new mel call a window, the rest cached), then with gaps and backwards (computed afresh): same values.
    for (const k of [...Array.from({ length: windows }, (_, k) => k), 30, 3, 17, 0]) {
      const { clean, degraded } = await embedder.embed(windowAt(speech, k, half));
      const ref = stream.embeddings.subarray((k + 10) * OWW_EMBEDDING_DIM, (k + 11) * OWW_EMBEDDING_DIM);
      for (let d = 0; d < OWW_EMBEDDING_DIM; d++) expect(Math.abs(clean[d] - ref[d])).toBeLessThan(1e-5);
      expect(Array.from(degraded)).not.toEqual(Array.from(clean));
    }
  });

  it('refuses windows off its grid', async () => {
    const embedder = owwWindowEmbedder(oww, mel, embedding);
    await expect(embedder.embed(windowOf(speech.subarray(0, 12512)))).rejects.toThrow(/takes windows of 13152 samples/);
    await expect(embedder.embed({ ...windowAt(speech, 0), startSample: 801 })).rejects.toThrow(/from 801/);
  });
});

describe('encoderWindowEmbedder', () => {
  it("is the encoder's scene embedding of each side", async () => {
    const naive = createNaiveEncoder(readManifest('naive-logmel'));
    const w = speech.subarray(4000, 12000);
    const got = await encoderWindowEmbedder(naive).embed(windowOf(w, w.map((v) => -v)));
    expect(got.clean).toEqual(await naive.sceneEmbedding([w]));
    expect(got.degraded).toEqual(await naive.sceneEmbedding([w.map((v) => -v)]));
  });
});

describe('VadTracker', () => {
  let graph: GraphRunner;
  beforeAll(async () => {
    graph = await loader.open(loadProbeManifest('silero-vad').paths.model);
  });

  it('512-sample chunks: the max over a span of the probabilities of src/probes/vad.ts on the whole clip, fed in odd chunks', async () => {
    const { probabilities } = await (await openSileroVad(loader)).track(speech);
    const tracker = new VadTracker(graph, { maxBacklogS: Infinity, keepS: 10, chunkSamples: 512 });
    const spans = [[0, 12512], [5120, 17632], [512 * 7 + 3, 512 * 20]];
    const answers = spans.map(([a, b]) => tracker.maxOver(a, b));
    for (let i = 0, k = 0; i < speech.length; k++) {
      const n = [333, 1000, 37][k % 3];
      tracker.push(speech.subarray(i, i + n), i);
      i += n;
    }
    const expected = spans.map(([a, b]) => Math.max(...Array.from(probabilities).filter((_, j) => j * 512 >= a && j * 512 + 512 <= b)));
    expect(await Promise.all(answers)).toEqual(expected);
    tracker.dispose();
  });

  it('live: skips audio rather than fall behind, then restarts; skipped spans give null', async () => {
    let calls = 0;
    const slowGraph: GraphRunner = {
      info: { inputs: ['input', 'sr', 'h', 'c'].map((name) => ({ name, type: 'float32', shape: [] })), outputs: [] },
      run: async (feeds) => {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        return { output: { type: 'float32', dims: [1, 1], data: Float32Array.of(0.5) }, hn: feeds.h, cn: feeds.c };
      },
    };
    const tracker = new VadTracker(slowGraph, { maxBacklogS: 0.1, keepS: 10, chunkSamples: 512 });
    // 1 s of audio at once, in 100 ms chunks: the first is taken (3 calls of 5 ms), the rest find the VAD behind and are skipped.
    for (let k = 0; k < 10; k++) tracker.push(new Float32Array(1600), k * 1600);
    const first = await tracker.maxOver(0, 1536);
    const skipped = await tracker.maxOver(8000, 16000);
    expect(first).toBe(0.5);
    expect(skipped).toBeNull();
    expect(calls).toBeLessThan(10 * 3);
    tracker.push(new Float32Array(1600), 16000);
    expect(await tracker.maxOver(16000, 17600)).toBe(0.5);
    tracker.dispose();
  });

  it('1536-sample chunks (the live setting): one probability per 96 ms, speech scores high', async () => {
    const tracker = new VadTracker(graph, { maxBacklogS: Infinity, keepS: 10, chunkSamples: LIVE_VAD_CHUNK_SAMPLES });
    tracker.push(speech, 0);
    expect(await tracker.maxOver(0, speech.length)).toBeGreaterThan(0.9);
    expect(await tracker.maxOver(0, 1535)).toBeNull();
    tracker.dispose();
  });
});
