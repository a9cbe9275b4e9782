import { LRUCache } from 'lru-cache';
import { createEncoder } from '../encoders/index.ts';
import type { ModelManifest } from '../encoders/manifest.ts';
import { OWW_EMBEDDING_DIM, OWW_FRAMES_PER_HOP, OWW_MEL_BINS, OWW_MEL_CONTEXT_SAMPLES, OWW_WINDOW_FRAMES } from '../encoders/owwStream.ts';
import type { ModelEntry } from '../encoders/registry.ts';
import type { Encoder, GraphLoader, GraphRunner } from '../encoders/types.ts';
import { Errors } from '../errors.ts';
import { OWW_LIVE_WINDOW, windowSpec, type WindowSpec } from './streamConfig.ts';
import type { AudioWindow, WindowEmbeddings } from './types.ts';

/** Turns one window into its clean and degraded scene embeddings. Made per stream: it may cache per-stream work. */
export interface WindowEmbedder {
  readonly manifest: ModelManifest;
  /** The windows it takes (see windowSpec). */
  spec(hopS?: number): WindowSpec;
  embed(window: AudioWindow): Promise<WindowEmbeddings>;
}

/**
 * The embedder for a registry entry on the process's pool, for one stream:
 * the openWakeWord path below for the speech embedding, else the model's own
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
    spec: (hopS) => windowSpec(encoder.manifest, hopS),
    async embed(w) {
      const [clean, degraded] = await Promise.all([encoder.sceneEmbedding(w.clean), encoder.sceneEmbedding(w.degraded)]);
      return { clean, degraded };
    },
  };
}

/** Samples of one 80 ms mel call that its 8 frames use (the last 128 of upstream's 1760 fall after the last frame). */
const MEL_CALL_SAMPLES = OWW_MEL_CONTEXT_SAMPLES - 128;

/**
 * openWakeWord's speech embedding per window, exactly as its streaming
 * front-end computes it at the hop that ends the window (OWW_LIVE_WINDOW in
 * streamConfig.ts): melspectrogram.onnx on each of the window's ten 80 ms
 * hops (1632 samples, int16 range, not batchable: the graph floors its log
 * 80 dB below the call's maximum), x/10 + 2, the last 76 frames to
 * embedding_model.onnx ([1, 76, 32, 1] -> 96, `batchable`: the pool stacks
 * it with other streams' calls). The mel frames of each hop are a function
 * of that hop's samples alone, so they are cached by hop index per stream and
 * side: in steady state a window costs one mel call and one embedding row per
 * side, and a window after dropped ones computes what it lacks from its own
 * samples (same result either way).
 */
export function owwWindowEmbedder(manifest: ModelManifest, mel: GraphRunner, embedding: GraphRunner): WindowEmbedder {
  const melIn = mel.info.inputs[0].name;
  const melOut = mel.info.outputs[0].name;
  const embIn = embedding.info.inputs[0].name;
  const embOut = embedding.info.outputs[0].name;
  const { windowSamples, hopSamples } = OWW_LIVE_WINDOW;
  const hopFrames = async (x: Float32Array, at: number): Promise<Float32Array> => {
    const input = new Float32Array(MEL_CALL_SAMPLES);
    for (let i = 0; i < MEL_CALL_SAMPLES; i++) {
      const v = x[at + i] * 32768;
      input[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    const spec = (await mel.run({ [melIn]: { type: 'float32', dims: [1, MEL_CALL_SAMPLES], data: input } }, { batchable: false }))[melOut].data as Float32Array;
    return spec.map((v) => v / 10 + 2);
  };
  const side = () => {
    // The window's ten hops are the ten most recently used: older ones fall out.
    const cache = new LRUCache<number, Float32Array>({ max: 10 });
    return async (x: Float32Array, startSample: number): Promise<Float32Array> => {
      const last = (startSample + windowSamples + 128) / hopSamples;
      const hops = Array.from({ length: 10 }, (_, i) => last - 9 + i);
      const frames = await Promise.all(hops.map((h, i) => cache.get(h) ?? hopFrames(x, i * hopSamples)));
      hops.forEach((h, i) => cache.set(h, frames[i]));
      const feats = new Float32Array(OWW_WINDOW_FRAMES * OWW_MEL_BINS);
      const half = (OWW_FRAMES_PER_HOP / 2) * OWW_MEL_BINS;
      feats.set(frames[0].subarray(half));
      for (let i = 1; i < 10; i++) feats.set(frames[i], half + (i - 1) * OWW_FRAMES_PER_HOP * OWW_MEL_BINS);
      const out = await embedding.run({ [embIn]: { type: 'float32', dims: [1, OWW_WINDOW_FRAMES, OWW_MEL_BINS, 1], data: feats } }, { batchable: true });
      return (out[embOut].data as Float32Array).subarray(0, OWW_EMBEDDING_DIM);
    };
  };
  const clean = side();
  const degraded = side();
  return {
    manifest,
    spec: (hopS) => windowSpec(manifest, hopS),
    async embed(w) {
      if (w.clean[0].length !== windowSamples || (w.startSample + windowSamples + 128) % hopSamples !== 0) {
        throw new Errors.INVALID_OPTION(`model "${manifest.id}" takes windows of ${windowSamples} samples ending 128 samples before an 80 ms hop; got ${w.clean[0].length} samples from ${w.startSample}`);
      }
      const [c, d] = await Promise.all([clean(w.clean[0], w.startSample), degraded(w.degraded[0], w.startSample)]);
      return { clean: c, degraded: d };
    },
  };
}

function fileOf(entry: ModelEntry, role: string): string {
  const path = entry.files[role];
  if (path === undefined) throw new Errors.INVALID_MODEL(`manifest "${entry.manifest.id}" names no "${role}" file`);
  if (entry.missing.includes(role)) throw new Errors.MODEL_FILES_MISSING(entry.manifest.id, path, entry.manifest.install ?? 'npm install');
  return path;
}
