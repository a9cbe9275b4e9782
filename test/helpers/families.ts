import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createFamilyEncoder } from '../../src/encoders/families/index.ts';
import type { ModelManifest } from '../../src/encoders/manifest.ts';
import { createInProcessLoader } from '../../src/encoders/runtime/inProcess.ts';
import type { Encoder } from '../../src/encoders/types.ts';
import { REPO_ROOT } from './audio.ts';

/** The tiny random-weight graphs and manifests made by models/export/export_graphs.py --small. */
export const FAMILY_DIR = join(REPO_ROOT, 'test', 'fixtures', 'onnx', 'families');

/** One in-process loader for a test file (sessions are cached by path). */
export const loader = createInProcessLoader();

/** A committed tiny manifest, parsed. */
export function familyManifest(id: string): ModelManifest {
  return JSON.parse(readFileSync(join(FAMILY_DIR, `${id}.json`), 'utf8')) as ModelManifest;
}

/** The encoder for a tiny manifest, with fields overridden. */
export function familyEncoder(id: string, override: Partial<ModelManifest> = {}): Promise<Encoder> {
  const manifest = { ...familyManifest(id), ...override };
  return createFamilyEncoder({ manifest, files: { model: join(FAMILY_DIR, manifest.files.model) }, loader });
}

/** The torch output saved for a tiny graph (frames × dim), fed digit 3 as its manifest says. */
export function familyReference(id: string): { frames: number; dim: number; data: Float32Array } {
  const refs = JSON.parse(readFileSync(join(FAMILY_DIR, 'references.json'), 'utf8')) as Record<string, { file: string; shape: [number, number] }>;
  const buf = readFileSync(join(FAMILY_DIR, refs[id].file));
  return { frames: refs[id].shape[0], dim: refs[id].shape[1], data: new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4) };
}

/** Largest |a - b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err;
}

/** Deterministic test audio: digit-like noise bursts, `seconds` long at 16 kHz. */
export function testTone(seconds: number, seed = 1): Float32Array {
  const n = Math.round(seconds * 16000);
  return Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(0.05 * i * (1 + seed * 0.1)) * Math.sin(i / 1600) + 0.05 * Math.sin(1.7 * i + seed));
}

/** Checks timestamps are `expected` (seconds) within 1e-9, and the scene embedding is their mean. */
export async function expectFrames(enc: Encoder, audio: Float32Array[], expected: number[]): Promise<void> {
  const ts = await enc.timestampEmbeddings(audio);
  expect(ts.frames).toBe(expected.length);
  expect(ts.dim).toBe(enc.manifest.embeddingSize);
  expect(ts.embeddings.length).toBe(ts.frames * ts.dim);
  expect(maxAbsDiff(ts.timestampsS, expected)).toBeLessThan(1e-9);
  const mean = new Float64Array(ts.dim);
  for (let f = 0; f < ts.frames; f++) for (let d = 0; d < ts.dim; d++) mean[d] += ts.embeddings[f * ts.dim + d] / ts.frames;
  expect(maxAbsDiff(await enc.sceneEmbedding(audio), mean)).toBeLessThan(1e-6);
}

/** `count` timestamps start + t · hop. */
export function grid(count: number, start: number, hop: number): number[] {
  return Array.from({ length: count }, (_, t) => start + t * hop);
}
