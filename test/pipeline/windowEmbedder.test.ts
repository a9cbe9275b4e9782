import { beforeAll, describe, expect, it } from 'vitest';
import { OwwStream, OWW_EMBEDDING_DIM } from '../../src/encoders/owwStream.ts';
import { createNaiveEncoder } from '../../src/encoders/naive.ts';
import { encoderWindowEmbedder, owwWindowEmbedder } from '../../src/pipeline/windowEmbedder.ts';
import { VadTracker } from '../../src/pipeline/vadInternals.ts';
import type { AudioWindow } from '../../src/pipeline/types.ts';
import { openSileroVad, type SileroVad } from '../../src/probes/vad.ts';
import type { GraphRunner } from '../../src/encoders/types.ts';
import { modelFilePath, SHIPPED_MODEL_DIR } from '../../src/encoders/openwakeword.ts';
import { createRng } from '../../src/random.ts';
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
  it("a 0.782 s window's embedding is openWakeWord's streaming embedding at the hop that ends with it (speech over a -50 dBFS noise floor)", async () => {
    // The mel graph floors its log 80 dB below the maximum of each call: per window here, per 80 ms hop upstream.
    // Over a real noise floor the floor never binds and the two agree; the shipped clips' near-digital-silence
    // gaps (-81 dBFS) would differ by up to ~20% there.
    const rng = createRng(1);
    const noisy = speech.map((v) => v + 10 ** (-50 / 20) * rng.normal());
    const stream = await new OwwStream(mel, embedding).push(noisy);
    const embedder = owwWindowEmbedder(oww, mel, embedding);
    let worst = 0;
    for (const m of [11, 14, 20, 27, stream.count]) {
      // Hop m (1-based) ends at sample 1280·m; its 76 mel frames cover [1280·m − 12640, 1280·m − 128).
      const w = noisy.subarray(1280 * m - 12640, 1280 * m - 128);
      expect(w.length).toBe(12512);
      const { clean, degraded } = await embedder.embed(windowOf(w, w.map((v) => v * 0.5)));
      const ref = stream.embeddings.subarray((m - 1) * OWW_EMBEDDING_DIM, m * OWW_EMBEDDING_DIM);
      const peak = ref.reduce((p, v) => Math.max(p, Math.abs(v)), 0);
      clean.forEach((v, d) => (worst = Math.max(worst, Math.abs(v - ref[d]) / peak)));
      expect(degraded).toHaveLength(OWW_EMBEDDING_DIM);
      expect(Array.from(degraded)).not.toEqual(Array.from(clean));
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('a short window is padded in front with ones (upstream\'s initial mel buffer); too short for one frame is an error', async () => {
    const embedder = owwWindowEmbedder(oww, mel, embedding);
    const short = await embedder.embed(windowOf(speech.subarray(0, 8000)));
    expect(short.clean.every(Number.isFinite)).toBe(true);
    await expect(embedder.embed(windowOf(speech.subarray(0, 100)))).rejects.toThrow(/at least 512 samples/);
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
  let vad: SileroVad;
  beforeAll(async () => {
    vad = await openSileroVad(loader);
  });

  it('the max over a span of the probabilities of the whole-clip track, fed in odd chunks', async () => {
    const { probabilities } = await vad.track(speech);
    const tracker = new VadTracker(vad, { maxBacklogS: Infinity, keepS: 10, sampleRateHz: 16000 });
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
    const { SileroVad } = await import('../../src/probes/vad.ts');
    const tracker = new VadTracker(new SileroVad(slowGraph), { maxBacklogS: 0.1, keepS: 10, sampleRateHz: 16000 });
    // 1 s of audio at once, in 100 ms chunks: the first one is taken (32 ms of work per 100 ms chunk... 5 ms per call x 3 calls), the rest wait.
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
});
