import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Errors } from '../errors.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { adaptChannels } from './adaptChannels.ts';
import type { ModelManifest } from './manifest.ts';
import { OWW_EMBEDDING_DIM, OWW_MEL_BINS, OWW_WINDOW_FRAMES, OwwStream, owwTimestampS, type OwwEmbeddings } from './owwStream.ts';
import { meanOverFrames } from './timestamps.ts';
import type { Encoder, GraphLoader, GraphRunner, TimestampEmbeddings } from './types.ts';

/** Where shipped manifests live; their `files` are relative to it. */
export const SHIPPED_MODEL_DIR = join(PACKAGE_ROOT, 'models');

/** An openWakeWord speech-embedding encoder: the HEAR contract plus a streaming front-end. */
export interface OpenWakeWordEncoder extends Encoder {
  /** A fresh streaming front-end over the same graphs (one per live stream). */
  stream(): OwwStream;
}

/**
 * Resolve a manifest's graph file (relative to `modelDir`) and check that it
 * is there; the openWakeWord files come from `npm install` (models/install.js).
 */
export function modelFilePath(manifest: ModelManifest, role: string, modelDir: string): string {
  const rel = manifest.files[role];
  if (rel === undefined) throw new Errors.INVALID_MODEL(`manifest "${manifest.id}" names no "${role}" file (files: ${Object.keys(manifest.files).join(', ') || 'none'})`);
  const path = resolve(modelDir, rel);
  if (!existsSync(path)) throw new Errors.MODEL_FILES_MISSING(manifest.id, path, 'npm install');
  return path;
}

/**
 * Open the openWakeWord speech-embedding encoder (manifest frontEnd kind
 * "openwakeword", files "melspectrogram" and "embedding"). Timestamp
 * embeddings: one 96-d vector per 80 ms hop, exactly as {@link OwwStream}
 * emits them for the same audio pushed in any chunks; timestamps from
 * {@link owwTimestampS}. Audio shorter than 80 ms gives zero frames (and a
 * zero scene embedding). Input channels are mixed down to mono; the audio
 * must be at 16 kHz. Scene embedding: the mean of the timestamp embeddings.
 * `timestampStream()` feeds an {@link OwwStream}: the same frames, whatever the pieces.
 *
 * @param modelDir folder the manifest's files are relative to (default: the shipped models/)
 * @throws INVALID_MODEL when the manifest is not an openWakeWord one, MODEL_FILES_MISSING when a graph file is missing (run npm install), MODEL_MISMATCH when the embedding graph has the wrong shape
 * @example
 * const enc = await createOpenWakeWordEncoder(manifest, createInProcessLoader());
 * const { frames, embeddings, timestampsS } = await enc.timestampEmbeddings([speech16k]);
 */
export async function createOpenWakeWordEncoder(manifest: ModelManifest, loader: GraphLoader, modelDir = SHIPPED_MODEL_DIR): Promise<OpenWakeWordEncoder> {
  const bad = (what: string) => new Errors.INVALID_MODEL(`manifest "${manifest.id}": ${what}`);
  if (manifest.frontEnd.kind !== 'openwakeword') throw bad(`frontEnd.kind = "${manifest.frontEnd.kind}", expected "openwakeword"`);
  if (manifest.sampleRateHz !== 16000) throw bad(`sampleRateHz = ${manifest.sampleRateHz}; openWakeWord runs at 16000 Hz`);
  if (manifest.embeddingSize !== OWW_EMBEDDING_DIM) throw bad(`embeddingSize = ${manifest.embeddingSize}; the speech embedding has ${OWW_EMBEDDING_DIM}`);
  const mel = await loader.open(modelFilePath(manifest, 'melspectrogram', modelDir));
  const embedding = await loader.open(modelFilePath(manifest, 'embedding', modelDir));
  checkShape(manifest.id, embedding, [OWW_WINDOW_FRAMES, OWW_MEL_BINS, 1], [1, 1, OWW_EMBEDDING_DIM]);

  const timestampEmbeddings = async (channels: Float32Array[]): Promise<TimestampEmbeddings> => {
    const [mono] = adaptChannels(channels, 1, manifest.id);
    return toTimestampEmbeddings(await new OwwStream(mel, embedding).push(mono));
  };
  return {
    manifest,
    stream: () => new OwwStream(mel, embedding),
    timestampEmbeddings,
    timestampStream() {
      const s = new OwwStream(mel, embedding);
      return {
        push: async (channels) => toTimestampEmbeddings(await s.push(adaptChannels(channels, 1, manifest.id)[0])),
        end: async () => toTimestampEmbeddings({ first: s.emitted, count: 0, embeddings: new Float32Array(0) }),
      };
    },
    async sceneEmbedding(channels) {
      return meanOverFrames(await timestampEmbeddings(channels));
    },
  };
}

/** HEAR timestamp embeddings from a run of stream output (timestamps from the run's hop indices). */
export function toTimestampEmbeddings(run: OwwEmbeddings): TimestampEmbeddings {
  const timestampsS = Float64Array.from({ length: run.count }, (_, k) => owwTimestampS(run.first + k));
  return { dim: OWW_EMBEDDING_DIM, frames: run.count, embeddings: run.embeddings, timestampsS };
}

function checkShape(id: string, graph: GraphRunner, input: number[], output: number[]): void {
  const tail = (shape: (number | string)[]) => shape.slice(1).join(',');
  const inShape = graph.info.inputs[0]?.shape ?? [];
  const outShape = graph.info.outputs[0]?.shape ?? [];
  if (tail(inShape) !== input.join(',') || tail(outShape) !== output.join(',')) {
    throw new Errors.MODEL_MISMATCH(`model "${id}": embedding graph takes [${inShape}] -> [${outShape}], expected [N,${input}] -> [N,${output}]`);
  }
}
