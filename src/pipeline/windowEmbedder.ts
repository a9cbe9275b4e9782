import { createEncoder } from '../encoders/index.ts';
import type { ModelManifest } from '../encoders/manifest.ts';
import { OWW_EMBEDDING_DIM, OWW_MEL_BINS, OWW_WINDOW_FRAMES } from '../encoders/owwStream.ts';
import type { ModelEntry } from '../encoders/registry.ts';
import type { Encoder, GraphLoader, GraphRunner } from '../encoders/types.ts';
import { Errors } from '../errors.ts';
import type { AudioWindow, WindowEmbeddings } from './types.ts';

/** Turns one window into its clean and degraded scene embeddings. */
export interface WindowEmbedder {
  readonly manifest: ModelManifest;
  embed(window: AudioWindow): Promise<WindowEmbeddings>;
}

/**
 * The embedder for a registry entry on the process's pool: the lean
 * openWakeWord path below for the speech embedding, else the model's own
 * Encoder (src/encoders) through {@link encoderWindowEmbedder}.
 */
export async function openWindowEmbedder(entry: ModelEntry, loader: GraphLoader): Promise<WindowEmbedder> {
  if (entry.manifest.frontEnd.kind === 'openwakeword') {
    const [mel, embedding] = await Promise.all([loader.open(fileOf(entry, 'melspectrogram')), loader.open(fileOf(entry, 'embedding'))]);
    return owwWindowEmbedder(entry.manifest, mel, embedding);
  }
  return encoderWindowEmbedder(await createEncoder(entry, loader));
}

/** Any HEAR encoder: the scene embedding (mean over frames) of the clean and of the degraded window, run together. */
export function encoderWindowEmbedder(encoder: Encoder): WindowEmbedder {
  return {
    manifest: encoder.manifest,
    async embed(w) {
      const [clean, degraded] = await Promise.all([encoder.sceneEmbedding(w.clean), encoder.sceneEmbedding(w.degraded)]);
      return { clean, degraded };
    },
  };
}

/**
 * The openWakeWord speech embedding of a whole window in two graph calls:
 * melspectrogram.onnx over the window (int16-range samples; 12512 samples,
 * the manifest's 0.782 s, give exactly its 76 frames), x/10 + 2, then
 * embedding_model.onnx on those 76 frames ([1, 76, 32, 1] -> 96, a
 * `batchable` call that the pool stacks with other streams'). This is the
 * embedding openWakeWord's streaming front-end gives at the hop that ends
 * with the window (within 1e-4 over a -50 dBFS noise floor), except that the
 * mel graph's 80 dB floor is relative to the window's maximum rather than each
 * 80 ms hop's: it binds only near digital silence (the shipped clips' -81 dBFS
 * gaps shift the embedding by up to ~20% there). Stateless, so a
 * dropped window costs nothing; a window shorter than 76 frames is padded at
 * the front with ones (upstream's initial mel buffer), a longer one keeps its
 * last 76 frames. The generic path (OwwStream over each window) would cost 10
 * graph calls and 9 embeddings per window.
 */
export function owwWindowEmbedder(manifest: ModelManifest, mel: GraphRunner, embedding: GraphRunner): WindowEmbedder {
  const melIn = mel.info.inputs[0].name;
  const melOut = mel.info.outputs[0].name;
  const embIn = embedding.info.inputs[0].name;
  const embOut = embedding.info.outputs[0].name;
  const size = OWW_WINDOW_FRAMES * OWW_MEL_BINS;
  const one = async (x: Float32Array): Promise<Float32Array> => {
    const input = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i] * 32768;
      input[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    const spec = (await mel.run({ [melIn]: { type: 'float32', dims: [1, input.length], data: input } }, { batchable: false }))[melOut].data as Float32Array;
    const frames = Math.min(OWW_WINDOW_FRAMES, Math.floor(spec.length / OWW_MEL_BINS));
    const feats = new Float32Array(size).fill(1);
    const from = spec.length - frames * OWW_MEL_BINS;
    for (let k = 0, at = size - frames * OWW_MEL_BINS; k < frames * OWW_MEL_BINS; k++) feats[at + k] = spec[from + k] / 10 + 2;
    const out = await embedding.run({ [embIn]: { type: 'float32', dims: [1, OWW_WINDOW_FRAMES, OWW_MEL_BINS, 1], data: feats } }, { batchable: true });
    return (out[embOut].data as Float32Array).subarray(0, OWW_EMBEDDING_DIM);
  };
  return {
    manifest,
    async embed(w) {
      if (w.clean[0].length < 512) throw new Errors.INVALID_OPTION(`model "${manifest.id}" needs windows of at least 512 samples, got ${w.clean[0].length}`);
      const [clean, degraded] = await Promise.all([one(w.clean[0]), one(w.degraded[0])]);
      return { clean, degraded };
    },
  };
}

function fileOf(entry: ModelEntry, role: string): string {
  const path = entry.files[role];
  if (path === undefined) throw new Errors.INVALID_MODEL(`manifest "${entry.manifest.id}" names no "${role}" file`);
  if (entry.missing.includes(role)) throw new Errors.MODEL_FILES_MISSING(entry.manifest.id, path, entry.manifest.install ?? 'npm install');
  return path;
}
