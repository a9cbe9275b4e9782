// The worker side of OnnxPool: one ONNX Runtime session per graph, one run
// at a time (the pool never sends a second run before the first answers).
// Started by WorkerSlot (see src/moduleStart.ts).
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type { Feeds, GraphInfo, TensorData } from '../types.ts';
import type { FromWorker, ToWorker, WorkerDevice, WorkerInit } from './protocol.ts';
import { SESSION_EXTRA } from './options.ts';

const init = workerData as WorkerInit;
const port = parentPort!;
// ORT prints its own native error lines (e.g. a missing CUDA library) on top of
// the exceptions it throws; the pool reports those exceptions, once and clearly.
ort.env.logLevel = process.env.EARSHOT_DEBUG ? 'warning' : 'fatal';

const sessions = new Map<number, Promise<ort.InferenceSession>>();

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'load') {
    const loading = load(msg.path, msg.device);
    sessions.set(msg.graphId, loading.then((r) => r.session));
    void loading.then(
      (r) => send({ type: 'loaded', graphId: msg.graphId, ok: true, info: infoOf(r.session), device: r.device, cudaError: r.cudaError }),
      (err: LoadError) => send({ type: 'loaded', graphId: msg.graphId, ok: false, error: message(err), cudaError: err.cudaError }),
    );
  } else if (msg.crash === 'exit') {
    process.exit(3);
  } else if (msg.crash === 'throw') {
    setImmediate(() => {
      throw new Error('simulated worker crash (test hook)');
    });
  } else {
    void run(msg.graphId, msg.feeds).then(
      (outputs) => send({ type: 'result', jobId: msg.jobId, ok: true, outputs }, transferables(outputs)),
      (err: unknown) => send({ type: 'result', jobId: msg.jobId, ok: false, error: message(err) }),
    );
  }
});

function send(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

type LoadError = Error & { cudaError?: string };

async function load(path: string, device: WorkerDevice): Promise<{ session: ort.InferenceSession; device: 'cuda' | 'cpu'; cudaError?: string }> {
  if (device === 'cpu') return { session: await create(path, ['cpu']), device: 'cpu' };
  try {
    return { session: await create(path, ['cuda', 'cpu']), device: 'cuda' };
  } catch (err) {
    // Was it CUDA or the model? If the CPU cannot load it either, the model is at fault.
    const cudaError = message(err);
    let cpu: ort.InferenceSession;
    try {
      cpu = await create(path, ['cpu']);
    } catch (cpuErr) {
      throw new Error(message(cpuErr));
    }
    if (device === 'auto') return { session: cpu, device: 'cpu', cudaError };
    await cpu.release();
    throw Object.assign(new Error(cudaError), { cudaError });
  }
}

function create(path: string, executionProviders: string[]): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, {
    executionProviders,
    intraOpNumThreads: init.intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: SESSION_EXTRA,
  });
}

async function run(graphId: number, feeds: Feeds): Promise<Feeds> {
  const session = await sessions.get(graphId);
  if (!session) throw new Error(`graph ${graphId} was never loaded in this worker`);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  const results = await session.run(ortFeeds);
  const outputs: Feeds = {};
  for (const [name, value] of Object.entries(results)) {
    const t = value as ort.Tensor;
    outputs[name] = { type: t.type as TensorData['type'], dims: [...t.dims], data: t.data as TensorData['data'] };
    t.dispose?.();
  }
  return outputs;
}

function infoOf(session: ort.InferenceSession): GraphInfo {
  const describe = (m: ort.InferenceSession.ValueMetadata) =>
    m.isTensor ? { name: m.name, type: String(m.type), shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] };
  return { inputs: session.inputMetadata.map(describe), outputs: session.outputMetadata.map(describe) };
}

// Hand over output buffers that belong to one tensor alone; views into a shared buffer are copied by postMessage.
function transferables(outputs: Feeds): ArrayBuffer[] {
  const seen = new Set<ArrayBufferLike>();
  const list: ArrayBuffer[] = [];
  for (const { data } of Object.values(outputs)) {
    const buf = data.buffer;
    if (buf instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buf.byteLength && !seen.has(buf)) {
      seen.add(buf);
      list.push(buf);
    }
  }
  return list;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
