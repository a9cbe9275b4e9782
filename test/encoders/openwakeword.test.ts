import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAudio } from '../../src/audio/load.ts';
import { OWW_EMBEDDING_DIM, OWW_HOP_SAMPLES, owwTimestampS } from '../../src/encoders/owwStream.ts';
import { createRng } from '../../src/random.ts';
import { REPO_ROOT, loadSpeech } from '../helpers/audio.ts';
import { owwEncoder, owwReference, readManifest, loader } from '../helpers/openwakeword.ts';
import { createOpenWakeWordEncoder } from '../../src/encoders/openwakeword.ts';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

async function speechClip(): Promise<Float32Array> {
  const parts = await Promise.all([3, 7, 9].map((d) => loadSpeech(d)));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0) + 3000);
  let at = 1000;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('openWakeWord speech embedding', () => {
  it('gives one 96-d embedding per 80 ms hop, with centre timestamps', async () => {
    const enc = await owwEncoder();
    const x = await speechClip();
    const t = await enc.timestampEmbeddings([x]);
    expect(t.dim).toBe(OWW_EMBEDDING_DIM);
    expect(t.frames).toBe(Math.floor(x.length / OWW_HOP_SAMPLES));
    expect(t.embeddings.length).toBe(t.frames * 96);
    expect(t.embeddings.every(Number.isFinite)).toBe(true);
    // From the tenth hop on, the 76 mel frames (0.782 s) lie inside the audio; the centre is 6384 samples before the hop's end.
    expect(t.timestampsS[9]).toBeCloseTo((10 * 1280 - 6384) / 16000, 12);
    expect(t.timestampsS[20] - t.timestampsS[19]).toBeCloseTo(0.08, 12);
    for (let k = 1; k < t.frames; k++) expect(t.timestampsS[k]).toBeGreaterThan(t.timestampsS[k - 1]);
    expect(owwTimestampS(0)).toBeCloseTo((1280 - 128) / 2 / 16000, 12);
    const scene = await enc.sceneEmbedding([x, x]);
    expect(scene.length).toBe(96);
  });

  it('matches openWakeWord\'s own streaming code (make_reference.py) on every embedding', async () => {
    const enc = await owwEncoder();
    const ref = owwReference();
    for (const clip of [ref.clips[0], ref.speech]) {
      const audio = await loadAudio(join(REPO_ROOT, clip.file));
      const t = await enc.timestampEmbeddings(audio.channels);
      expect(t.frames).toBe(clip.frames);
      // Values reach ~77; the reference is rounded to 1e-5 and ran the embedding graph one window at a time.
      expect(maxAbsDiff(t.embeddings, clip.embeddings!)).toBeLessThan(1e-4);
    }
  });

  it('streams: any chunking gives the whole-clip embeddings', async () => {
    const enc = await owwEncoder();
    const x = await speechClip();
    const whole = await enc.timestampEmbeddings([x]);
    const rng = createRng(11);
    for (const sizes of [[1280], [1, 317, 1279, 5000], [4000, 37]]) {
      const s = enc.stream();
      const rows: Float32Array[] = [];
      let at = 0;
      for (let k = 0; at < x.length; k++) {
        const n = sizes[k % sizes.length] + rng.int(0, 3);
        const { first, count, embeddings } = await s.push(x.subarray(at, at + n));
        expect(first).toBe(rows.reduce((a, r) => a + r.length / 96, 0));
        if (count > 0) rows.push(embeddings);
        at += n;
      }
      const streamed = Float32Array.from(rows.flatMap((r) => Array.from(r)));
      expect(streamed.length).toBe(whole.embeddings.length);
      expect(maxAbsDiff(streamed, whole.embeddings)).toBeLessThan(1e-4);
      expect(s.emitted).toBe(whole.frames);
    }
  });

  it('is deterministic, and handles silence and short input', async () => {
    const enc = await owwEncoder();
    const x = await speechClip();
    const a = await enc.timestampEmbeddings([x]);
    const b = await enc.timestampEmbeddings([x]);
    expect(Buffer.from(a.embeddings.buffer).equals(Buffer.from(b.embeddings.buffer))).toBe(true);
    const silence = await enc.timestampEmbeddings([new Float32Array(16000)]);
    expect(silence.frames).toBe(12);
    expect(silence.embeddings.every(Number.isFinite)).toBe(true);
    expect((await enc.timestampEmbeddings([new Float32Array(1279)])).frames).toBe(0);
    expect(await enc.sceneEmbedding([new Float32Array(1279)])).toEqual(new Float32Array(96));
  });

  it('refuses a manifest of another front-end and reports a missing graph file', async () => {
    const m = readManifest('oww-speech-embedding');
    await expect(createOpenWakeWordEncoder({ ...m, frontEnd: { kind: 'waveform', normalize: 'none' } }, loader)).rejects.toThrow(/openwakeword/);
    await expect(createOpenWakeWordEncoder({ ...m, files: { ...m.files, embedding: 'nowhere/embedding.onnx' } }, loader)).rejects.toThrow(/nowhere.*npm install/);
  });
});
