import { LRUCache } from 'lru-cache';
import type { ModelManifest } from '../../src/encoders/manifest.ts';
import { createNaiveEncoder } from '../../src/encoders/naive.ts';
import type { Encoder } from '../../src/encoders/types.ts';
import type { TaskPool } from './pool.ts';

// A task thread's naive encoders, by manifest: each holds its random projection (embeddingSize × numMelBins).
const encoders = new LRUCache<string, Encoder>({ max: 4 });

/** The naive log-mel baseline's scene embedding of `channels` (src/encoders/naive.ts), as a task. */
export async function naiveSceneEmbedding(manifest: ModelManifest, channels: Float32Array[]): Promise<Float32Array> {
  const key = JSON.stringify(manifest);
  let encoder = encoders.get(key);
  if (encoder === undefined) encoders.set(key, (encoder = createNaiveEncoder(manifest)));
  return encoder.sceneEmbedding(channels);
}

/**
 * The naive baseline for a live stream, its scene embeddings computed on the
 * task threads: the same encoder, so the same numbers, but its log-mel and
 * projection (a few ms a window, 50 windows a second at the shortest hop)
 * leave the event loop. Timestamp embeddings, which live streams do not ask
 * for, run here.
 */
export function naiveEncoderOnTasks(manifest: ModelManifest, tasks: TaskPool): Encoder {
  const local = createNaiveEncoder(manifest);
  return {
    manifest,
    timestampEmbeddings: (channels) => local.timestampEmbeddings(channels),
    sceneEmbedding: (channels) => tasks.run('naiveSceneEmbedding', manifest, channels),
  };
}
