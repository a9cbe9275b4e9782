import { Worker } from 'node:worker_threads';
import { moduleStart } from '../../src/moduleStart.ts';
import { workerExecArgv } from '../../src/encoders/runtime/workerSlot.ts';
import { Errors } from '../../src/errors.ts';
import type { TaskReply, TaskRequest } from './taskWorker.ts';
import type { TaskArgs, TaskName, TaskResult } from './tasks.ts';

const START = moduleStart(new URL('./taskWorker.ts', import.meta.url));

interface Slot {
  worker: Worker;
  idle: NodeJS.Timeout | undefined;
  busy: { request: TaskRequest; resolve(v: unknown): void; reject(e: Error): void } | null;
}

export interface TaskPoolOptions {
  /** Threads (default 1): the tasks are rare and bursty, and the cores belong to the ONNX pool. */
  threads?: number;
  /** Old-generation heap limit of each thread (MiB): a decoding bomb kills its thread, not the server. Default 512. */
  maxHeapMb?: number;
  /** A thread idle this long ends, giving its memory (decoders, room tables) back (ms). Default 2000. */
  idleMs?: number;
}

/**
 * A few worker threads for the server's heavy one-off work (tasks.ts:
 * decoding uploads, simulating rooms), so that no request or condition
 * change holds the event loop. Tasks queue FIFO; each thread runs one at a
 * time. A thread that dies (out of memory, a crash) fails its task with
 * WORKER_CRASHED and is replaced. `cpuMs` sums the threads' CPU time per
 * task name, for /metrics. Threads start on first use and end after `idleMs`
 * without work: bursts of uploads or condition changes leave no memory behind.
 */
export class TaskPool {
  readonly cpuMs = new Map<TaskName, number>();
  private readonly slots: Slot[] = [];
  private readonly queue: { request: TaskRequest; resolve(v: unknown): void; reject(e: Error): void }[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: TaskPoolOptions = {}) {}

  /** Run `task` with `args` on a task thread; resolves with its result or rejects with its error (earshot codes kept). */
  run<T extends TaskName>(task: T, ...args: TaskArgs<T>): Promise<TaskResult<T>> {
    if (this.closed) return Promise.reject(new Errors.POOL_CLOSED('the server is shutting down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, task, args }, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Errors.POOL_CLOSED('the server is shutting down'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy === null);
      if (slot === undefined && this.slots.length < (this.opts.threads ?? 1)) slot = this.spawn();
      if (slot === undefined) return;
      const job = this.queue.shift()!;
      clearTimeout(slot.idle);
      slot.busy = job;
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(START.file, {
      workerData: { entry: START.entry },
      execArgv: workerExecArgv(process.execArgv),
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 512 },
    });
    const slot: Slot = { worker, idle: undefined, busy: null };
    this.slots.push(slot);
    worker.on('message', (reply: TaskReply) => {
      const job = slot.busy;
      if (job === null || job.request.id !== reply.id) return;
      slot.busy = null;
      worker.unref();
      this.cpuMs.set(job.request.task, (this.cpuMs.get(job.request.task) ?? 0) + reply.cpuMs);
      if ('result' in reply) job.resolve(reply.result);
      else job.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code, statusCode: reply.error.statusCode } : {}));
      this.dispatch();
      if (slot.busy === null) slot.idle = setTimeout(() => void worker.terminate(), this.opts.idleMs ?? 2000).unref();
    });
    let why = '';
    worker.on('error', (err) => (why = err.message));
    worker.on('exit', (code) => {
      clearTimeout(slot.idle);
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      if (slot.busy !== null) slot.busy.reject(new Errors.WORKER_CRASHED(`the ${slot.busy.request.task} task's thread stopped (${why || `exit code ${code}`}); the server runs on`));
      slot.busy = null;
      if (!this.closed) this.dispatch();
    });
    worker.unref();
    return slot;
  }
}
