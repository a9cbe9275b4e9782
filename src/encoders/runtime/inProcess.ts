import ort from 'onnxruntime-node';
import type { Feeds, GraphInfo, GraphLoader, GraphRunner, TensorData } from '../types.ts';
import { cachedLoad } from '../../cachedLoad.ts';
import { SESSION_EXTRA } from './options.ts';

/**
 * A single-thread {@link GraphLoader}: one onnxruntime-node InferenceSession
 * per file, opened once and shared, run on the calling thread (CPU,
 * intraOpNumThreads 1 unless told; 0 lets ONNX Runtime choose). `batchable` is accepted and ignored:
 * every call runs alone. The reference the worker pool must agree with, and
 * the runner for tests and one-off scripts.
 *
 * @example
 * const mel = await createInProcessLoader().open('/abs/models/openwakeword/melspectrogram.onnx');
 * const out = await mel.run({ input: { type: 'float32', dims: [1, 1760], data: samples } });
 */
export function createInProcessLoader(opts: { intraOpNumThreads?: number } = {}): GraphLoader {
  const sessions = new Map<string, Promise<GraphRunner>>();
  const open = async (path: string): Promise<GraphRunner> => {
    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: opts.intraOpNumThreads ?? 1, executionProviders: ['cpu'], extra: SESSION_EXTRA });
    const shape = (m: ort.InferenceSession.ValueMetadata) => (m.isTensor ? [...m.shape] : []);
    const type = (m: ort.InferenceSession.ValueMetadata) => (m.isTensor ? String(m.type) : 'non-tensor');
    const info: GraphInfo = {
      inputs: session.inputMetadata.map((m) => ({ name: m.name, type: type(m), shape: shape(m) })),
      outputs: session.outputMetadata.map((m) => ({ name: m.name, type: type(m), shape: shape(m) })),
    };
    const run = async (feeds: Feeds): Promise<Feeds> => {
      const input: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) input[name] = new ort.Tensor(t.type, t.data, t.dims);
      const result = await session.run(input);
      const out: Feeds = {};
      for (const [name, t] of Object.entries(result)) out[name] = { type: t.type as TensorData['type'], dims: [...t.dims], data: t.data as TensorData['data'] };
      return out;
    };
    return { info, run };
  };
  return {
    // A failed open is retried next time.
    open: (path) => cachedLoad(sessions, path, () => open(path)),
  };
}
