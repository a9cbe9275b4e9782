import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNaiveEncoder, createNaiveLogMel, NAIVE_LOG_FLOOR } from '../../src/encoders/naive.ts';
import { loadSpeech, REPO_ROOT } from '../helpers/audio.ts';
import { readManifest } from '../helpers/openwakeword.ts';

const manifest = readManifest('naive-logmel');
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('naive log-mel random-projection baseline', () => {
  it('gives one embeddingSize vector per 10 ms frame, timestamped at the frame centre', async () => {
    const enc = createNaiveEncoder(manifest);
    const x = await loadSpeech(7);
    const t = await enc.timestampEmbeddings([x]);
    expect(t.dim).toBe(512);
    expect(t.frames).toBe(Math.floor((x.length - 400) / 160) + 1);
    expect(t.embeddings.length).toBe(t.frames * 512);
    expect(t.embeddings.every(Number.isFinite)).toBe(true);
    expect(t.timestampsS[0]).toBeCloseTo(0.0125, 12);
    expect(t.timestampsS[10] - t.timestampsS[9]).toBeCloseTo(0.01, 12);
    const scene = await enc.sceneEmbedding([x]);
    expect(scene.length).toBe(512);
    expect(scene[3]).toBeCloseTo(t.embeddings.filter((_, i) => i % 512 === 3).reduce((a, b) => a + b, 0) / t.frames, 3);
  });

  it('computes the log-mel torchaudio computes (MelSpectrogram, htk, norm None, then ln(x + 1e-6))', async () => {
    const ref = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/naive/logmel_reference.json'), 'utf8')) as { frames: number; kept: number[]; logMel: number[][] };
    const fe = manifest.frontEnd as { numMelBins: number; frameLengthMs: number; frameShiftMs: number };
    const { frames, logMel } = createNaiveLogMel({ sampleRateHz: 16000, ...fe })(await loadSpeech(7));
    expect(frames).toBe(ref.frames);
    ref.kept.forEach((t, i) => {
      for (let m = 0; m < 64; m++) expect(Math.abs(logMel[t * 64 + m] - ref.logMel[i][m]), `frame ${t} bin ${m}`).toBeLessThan(1e-4);
    });
  });

  it('is deterministic for a seed and changes with it', async () => {
    const x = await loadSpeech(3);
    const a = await createNaiveEncoder(manifest).timestampEmbeddings([x]);
    const b = await createNaiveEncoder(manifest).timestampEmbeddings([x]);
    expect(bytes(a.embeddings).equals(bytes(b.embeddings))).toBe(true);
    const other = { ...manifest, frontEnd: { ...manifest.frontEnd, seed: 1 } } as typeof manifest;
    const c = await createNaiveEncoder(other).timestampEmbeddings([x]);
    expect(bytes(a.embeddings).equals(bytes(c.embeddings))).toBe(false);
  });

  it('handles silence, short input and several channels', async () => {
    const enc = createNaiveEncoder(manifest);
    const { frames, logMel } = createNaiveLogMel({ sampleRateHz: 16000, numMelBins: 64, frameLengthMs: 25, frameShiftMs: 10 })(new Float32Array(1600));
    expect(frames).toBe(8); // floor((1600 - 400) / 160) + 1
    expect(logMel.every((v) => v === Math.log(NAIVE_LOG_FLOOR))).toBe(true);
    expect((await enc.timestampEmbeddings([new Float32Array(100)])).frames).toBe(1);
    expect((await enc.timestampEmbeddings([new Float32Array(0)])).frames).toBe(0);
    const x = await loadSpeech(9);
    const mono = await enc.timestampEmbeddings([x]);
    const stereo = await enc.timestampEmbeddings([x, x]);
    expect(Math.max(...stereo.embeddings.map((v, i) => Math.abs(v - mono.embeddings[i])))).toBeLessThan(1e-4);
  });

  it('refuses a manifest of another front-end', () => {
    expect(() => createNaiveEncoder({ ...manifest, frontEnd: { kind: 'openwakeword' } })).toThrow(/naive-logmel/);
  });
});
