import { rm } from 'node:fs/promises';
import { writeAtomically } from '../writeAtomically.ts';
import type { EmbedSummary } from './embedStream.ts';
import { encodeNpy, NpyWriter } from './npy.ts';
import type { TimestampEmbeddings } from './types.ts';

/** Where `earshot embed` puts the embeddings of one clip, as they come (see {@link openEmbeddingOutput}). */
export interface EmbeddingOutput {
  /** Take a run of frames. */
  frames(ts: TimestampEmbeddings): Promise<void>;
  /** All frames are in: write what is left (the scene embedding, the JSON document, the npy headers). */
  finish(summary: EmbedSummary): Promise<void>;
  /** Something failed: leave no partial files behind. */
  abort(): Promise<void>;
}

/**
 * The embeddings of one clip written to `path`:
 *
 * - `npy`: `path` (frames × dim, float32), `path.timestamps.npy` (seconds, float64) and
 *   `path.scene.npy` (dim, float32). The rows are written as they come and the headers
 *   at the end (NpyWriter), so memory does not grow with the clip: the format for long files.
 * - `json`: one document `{ ...meta, dim, frames, timestampsS, embeddings (one array per
 *   frame), scene }`, written at the end; it holds every frame until then (about
 *   0.5 kB per 96-d frame as JSON numbers), so it grows with the clip.
 *
 * Either way the output appears only when complete: a failure leaves no file, or the
 * earlier ones untouched.
 *
 * @param meta the JSON document's first fields (model, input, condition, sampleRateHz)
 */
export async function openEmbeddingOutput(path: string, format: 'npy' | 'json', dim: number, meta: Record<string, unknown>): Promise<EmbeddingOutput> {
  if (format === 'npy') {
    const rows = await NpyWriter.create(path, 'float32', [dim]);
    const times = await NpyWriter.create(`${path}.timestamps.npy`, 'float64', []).catch(async (err) => {
      await rows.abort();
      throw err;
    });
    return {
      async frames(ts) {
        await rows.append(ts.embeddings.subarray(0, ts.frames * dim));
        await times.append(ts.timestampsS);
      },
      // The three files appear together: every byte is written (the scene through its own temporary file) before the
      // two others are moved into place, and a failed move takes back what was placed. No npy is left without the others.
      async finish(summary) {
        await rows.finish();
        await times.finish();
        const scene = `${path}.scene.npy`;
        await writeAtomically(scene, encodeNpy(summary.scene, [dim]));
        try {
          await rows.commit();
          await times.commit();
        } catch (err) {
          await Promise.all([path, `${path}.timestamps.npy`, scene].map((f) => rm(f, { force: true })));
          throw err;
        }
      },
      async abort() {
        await Promise.all([rows.abort(), times.abort()]);
      },
    };
  }
  const embeddings: number[][] = [];
  const timestampsS: number[] = [];
  return {
    async frames(ts) {
      for (let t = 0; t < ts.frames; t++) embeddings.push(Array.from(ts.embeddings.subarray(t * dim, (t + 1) * dim)));
      timestampsS.push(...ts.timestampsS);
    },
    async finish(summary) {
      const json = { ...meta, dim, frames: summary.frames, timestampsS, embeddings, scene: Array.from(summary.scene) };
      await writeAtomically(path, `${JSON.stringify(json)}\n`);
    },
    async abort() {},
  };
}
