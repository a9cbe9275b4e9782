import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { Errors } from '../../errors.ts';
import type { Feeds, GraphInfo, GraphLoader, GraphRunner } from '../types.ts';
import { batchKey, rowsOf, splitFeeds, stackFeeds, takeBatch } from './batching.ts';
import { cpuFallbackNotice, missingCudaProvider } from './device.ts';
import { checkFeeds, describeFeeds, describeValues } from './feeds.ts';
import { validatePoolOptions, type OnnxPoolOptions } from './options.ts';
import type { CrashMode, FromWorker } from './protocol.ts';
import { WorkerSlot } from './workerSlot.ts';

/** A graph opened by an OnnxPool: the GraphRunner contract plus where it came from and where it runs. */
export interface OnnxGraph extends GraphRunner {
  readonly path: string;
  readonly device: 'cuda' | 'cpu';
}

interface Graph {
  id: number;
  path: string;
  info: GraphInfo;
}
interface Call {
  graph: Graph;
  feeds: Feeds;
  rows: number;
  /** Set only for batchable calls; calls with equal keys may be stacked. */
  key: string | undefined;
  crashes: number;
  resolve(outputs: Feeds): void;
  reject(err: Error): void;
}
interface Job {
  id: number;
  calls: Call[];
}

/** How long close() waits for runs under way before terminating their threads anyway. */
const CLOSE_DRAIN_MS = 30_000;

/**
 * A pool of worker threads running ONNX Runtime sessions: one session per
 * graph per worker, one run per worker at a time. Calls queue in order;
 * `batchable` calls to the same graph that wait together (same input names,
 * types and dims but dim 0) are stacked along dim 0 up to `maxBatch` rows and
 * split back. A failed load or run rejects only its caller, with the file,
 * the graph's inputs and what was given. A worker that dies is restarted and
 * its call retried once; a second crash fails that call only.
 *
 * @example
 * const pool = new OnnxPool({ workers: 2 });
 * const graph = await pool.open('models/openwakeword/embedding_model.onnx');
 * const out = await graph.run({ input_1: { type: 'float32', dims: [1, 76, 32, 1], data } }, { batchable: true });
 * await pool.close();
 */
export class OnnxPool implements GraphLoader {
  readonly options: Readonly<OnnxPoolOptions>;
  private slots: WorkerSlot<Job>[] = [];
  private readonly graphs = new Map<string, Promise<OnnxGraph>>();
  private queue: Call[] = [];
  private nextId = 1;
  private resolvedDevice: 'cuda' | 'cpu' | undefined;
  private fallbackLogged = false;
  private pumpScheduled = false;
  private closed = false;
  private crashHook = { count: 0, mode: 'exit' as CrashMode };
  /** Counters since the pool was made: calls accepted, runs sent to workers, calls that ran stacked with others, the most rows in one run. */
  readonly stats = { calls: 0, runs: 0, stackedCalls: 0, largestRunRows: 0 };

  constructor(options: Partial<OnnxPoolOptions> = {}) {
    this.options = Object.freeze(validatePoolOptions(options));
  }

  /** Where sessions run, once the first graph is open ('auto' resolved); undefined before. */
  get device(): 'cuda' | 'cpu' | undefined {
    return this.resolvedDevice;
  }

  /** Load a graph in every worker (once per path; later calls share it). Rejects with FILE_NOT_FOUND, CUDA_UNAVAILABLE or RUNTIME_FAILED. */
  open(path: string): Promise<OnnxGraph> {
    if (this.closed) return Promise.reject(new Errors.POOL_CLOSED(`cannot open ${path}`));
    const abs = resolve(path);
    let graph = this.graphs.get(abs);
    if (graph === undefined) {
      graph = this.load(abs);
      this.graphs.set(abs, graph);
      graph.catch(() => this.graphs.delete(abs));
    }
    return graph;
  }

  /** Terminate the workers; waiting and running calls reject with POOL_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const calls = [...this.queue.splice(0), ...this.slots.flatMap((s) => s.job?.calls ?? [])];
    for (const c of calls) c.reject(new Errors.POOL_CLOSED(`a call to ${basename(c.graph.path)} was waiting`));
    for (const slot of this.slots) slot.failLoads('the pool was closed');
    await Promise.all(this.slots.map((s) => s.stop(CLOSE_DRAIN_MS)));
  }

  /** Test hook: the next `count` runs kill their worker thread instead of running (`process.exit` or an uncaught error). */
  simulateCrashes(count: number, mode: CrashMode = 'exit'): void {
    this.crashHook = { count, mode };
  }

  private async load(path: string): Promise<OnnxGraph> {
    if (!(await stat(path).catch(() => undefined))?.isFile()) throw new Errors.FILE_NOT_FOUND(path);
    this.resolveDeviceWithoutGpu();
    if (this.slots.length === 0) {
      const init = { intraOpNumThreads: this.options.intraOpNumThreads };
      this.slots = Array.from({ length: this.options.workers }, () => {
        const slot: WorkerSlot<Job> = new WorkerSlot<Job>(init, { message: (m) => this.onMessage(slot, m), exit: (r, job) => this.onCrash(slot, r, job) });
        return slot;
      });
    }
    const id = this.nextId++;
    const slots = this.slots.filter((s) => !s.dead);
    const loadOn = (slot: WorkerSlot<Job>) => slot.load({ type: 'load', graphId: id, path, device: this.resolvedDevice ?? this.options.device });
    // The first worker settles 'auto' (CUDA or CPU) before the others start loading.
    const answers = slots.length === 0 ? [] : [await loadOn(slots[0])];
    if (answers[0]?.ok) this.settleDevice(answers[0].device, answers[0].cudaError);
    if (answers[0]?.ok) answers.push(...(await Promise.all(slots.slice(1).map(loadOn))));
    if (this.closed) throw new Errors.POOL_CLOSED(`cannot open ${path}`);
    const failed = answers.find((a) => !a.ok) ?? (answers.length === 0 ? { ok: false, error: 'every worker thread has crashed', cudaError: undefined } : undefined);
    if (failed !== undefined && !failed.ok) {
      for (const s of this.slots) s.loads.delete(id); // a restart must not load it again
      if (this.options.device === 'cuda' && failed.cudaError !== undefined) {
        throw new Errors.CUDA_UNAVAILABLE(`device 'cuda': onnxruntime-node's CUDA provider failed on ${path} (${failed.cudaError}). Check the NVIDIA driver, CUDA 12 and cuDNN 9, or use device 'auto' or 'cpu'.`);
      }
      throw new Errors.RUNTIME_FAILED(`cannot load ONNX graph ${path}: ${failed.error}. Check that it is a complete ONNX model (shipped models are copied into models/ by \`npm install\`).`);
    }
    const first = answers[0] as Extract<FromWorker, { ok: true; type: 'loaded' }>;
    const graph: Graph = { id, path, info: first.info };
    return { path, info: first.info, device: first.device, run: (feeds, opts) => this.submit(graph, feeds, opts?.batchable === true) };
  }

  // Settle 'auto' without starting a worker when onnxruntime-node has no CUDA provider at all (its install script, which downloads it, does not run: see device.ts).
  private resolveDeviceWithoutGpu(): void {
    if (this.resolvedDevice !== undefined) return;
    const missing = this.options.device === 'cpu' ? undefined : missingCudaProvider(this.options.device);
    if (this.options.device === 'cpu') this.resolvedDevice = 'cpu';
    else if (missing !== undefined) this.settleDevice('cpu', missing);
  }

  private settleDevice(device: 'cuda' | 'cpu', cudaError: string | undefined): void {
    this.resolvedDevice ??= device;
    for (const slot of this.slots) for (const load of slot.loads.values()) load.device = this.resolvedDevice;
    if (device === 'cpu' && cudaError !== undefined && this.options.device === 'auto' && !this.fallbackLogged) {
      this.fallbackLogged = true;
      this.options.log(cpuFallbackNotice(cudaError, this.options.verbose));
    }
  }

  private async submit(graph: Graph, feeds: Feeds, batchable: boolean): Promise<Feeds> {
    if (this.closed) throw new Errors.POOL_CLOSED(`cannot run ${basename(graph.path)}`);
    checkFeeds(graph.path, graph.info, feeds);
    const rows = rowsOf(feeds) ?? 0;
    this.stats.calls++;
    const key = batchable ? batchKey(graph.id, feeds) : undefined;
    return new Promise<Feeds>((resolve, reject) => {
      this.queue.push({ graph, feeds, rows, key, crashes: 0, resolve, reject });
      this.schedulePump();
    });
  }

  // Pump once per microtask, so calls made together (Promise.all) can be stacked at once.
  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    queueMicrotask(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (this.closed) return;
    const idle = this.slots.filter((s) => !s.dead && s.job === undefined);
    while (idle.length > 0 && this.queue.length > 0) {
      const { batch, rest } = takeBatch(this.queue, this.options.maxBatch, idle.length);
      this.queue = rest;
      this.dispatch(idle.shift()!, batch);
    }
    if (this.slots.length > 0 && this.slots.every((s) => s.dead)) {
      for (const c of this.queue.splice(0)) c.reject(new Errors.WORKER_CRASHED('every ONNX worker thread keeps crashing; open a new OnnxPool (rerun with EARSHOT_DEBUG=1 for ONNX Runtime\'s own log).'));
    }
  }

  private dispatch(slot: WorkerSlot<Job>, calls: Call[]): void {
    const job: Job = { id: this.nextId++, calls };
    // Stacked inputs are our own fresh buffers: hand them over. A caller's own arrays are copied, so a retry can resend them.
    const feeds = calls.length === 1 ? calls[0].feeds : stackFeeds(calls.map((c) => c.feeds));
    const transfer = calls.length === 1 ? [] : Object.values(feeds).map((t) => t.data.buffer as ArrayBuffer);
    this.stats.runs++;
    if (calls.length > 1) this.stats.stackedCalls += calls.length;
    this.stats.largestRunRows = Math.max(this.stats.largestRunRows, calls.reduce((n, c) => n + c.rows, 0));
    const crash = this.crashHook.count > 0 ? (this.crashHook.count--, this.crashHook.mode) : undefined;
    slot.run(job, { type: 'run', jobId: job.id, graphId: calls[0].graph.id, feeds, crash }, transfer);
  }

  private onMessage(slot: WorkerSlot<Job>, msg: FromWorker): void {
    if (msg.type !== 'result' || slot.job?.id !== msg.jobId) return;
    const { calls } = slot.finish()!;
    if (this.closed) return; // close() has rejected its calls
    if (msg.ok && calls.length === 1) calls[0].resolve(msg.outputs);
    else if (msg.ok) {
      try {
        splitFeeds(msg.outputs, calls.map((c) => c.rows)).forEach((part, i) => calls[i].resolve(part));
      } catch (err) {
        const why = `${basename(calls[0].graph.path)}: ${(err as Error).message}; its batch items are not independent, so call it without { batchable: true }`;
        for (const c of calls) c.reject(new Errors.RUNTIME_FAILED(why));
      }
    } else if (calls.length > 1) {
      // One call may have spoiled the stack: run each alone, so the error reaches its own caller only.
      for (const c of calls) c.key = undefined;
      this.queue.unshift(...calls);
    } else {
      const { graph, feeds } = calls[0];
      calls[0].reject(new Errors.RUNTIME_FAILED(`${basename(graph.path)}: ONNX Runtime could not run it (${msg.error}). Its inputs: ${describeValues(graph.info.inputs)}; given: ${describeFeeds(feeds)}.`));
    }
    this.schedulePump();
  }

  private onCrash(slot: WorkerSlot<Job>, reason: string, job: Job | undefined): void {
    if (this.closed) return; // close() has rejected its calls
    const calls = job?.calls ?? [];
    for (const c of calls) c.crashes++;
    const retry = calls.filter((c) => c.crashes < 2);
    const where = calls[0] ? ` while running ${basename(calls[0].graph.path)}` : '';
    const next = slot.dead ? 'gave up on that thread' : `restarted it${retry.length > 0 ? '; retrying its call once' : ''}`;
    this.options.log(`an ONNX worker thread crashed${where} (${reason}); ${next}`);
    for (const c of calls) {
      if (c.crashes >= 2) c.reject(new Errors.WORKER_CRASHED(`the ONNX worker thread running ${basename(c.graph.path)} crashed twice on this call (${reason}); the call fails, the pool goes on serving others.`));
    }
    this.queue.unshift(...retry);
    this.schedulePump();
  }
}
