import { Errors } from '../../src/errors.ts';
import { PoolThread } from '../../src/poolThread.ts';
import type { TaskReply, TaskRequest } from './taskWorker.ts';
import type { TaskArgs, TaskName, TaskResult } from './tasks.ts';

type Job = { request: TaskRequest; resolve(v: unknown): void; reject(e: Error): void };
type Slot = PoolThread<Job, TaskReply>;

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
  private readonly queue: Job[] = [];
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
    await Promise.all(this.slots.splice(0).map((s) => s.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.job === undefined && !s.ending); // one ending after idleMs is listed until its exit
      if (slot === undefined && this.slots.length < (this.opts.threads ?? 1)) slot = this.spawn();
      if (slot === undefined) return;
      const job = this.queue.shift()!;
      slot.run(job, job.request);
    }
  }

  private spawn(): Slot {
    const slot: Slot = new PoolThread<Job, TaskReply>(new URL('./taskWorker.ts', import.meta.url), {
      message: (reply) => {
        if (slot.job?.request.id !== reply.id) return;
        const job = slot.finish()!;
        this.cpuMs.set(job.request.task, (this.cpuMs.get(job.request.task) ?? 0) + reply.cpuMs);
        if ('result' in reply) job.resolve(reply.result);
        else job.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code, statusCode: reply.error.statusCode } : {}));
        this.dispatch();
      },
      exit: (reason, job) => {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        job?.reject(new Errors.WORKER_CRASHED(`the ${job.request.task} task's thread stopped (${reason}); the server runs on`));
        if (!this.closed) this.dispatch();
      },
    }, { resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 512 }, idleMs: this.opts.idleMs ?? 2000 });
    this.slots.push(slot);
    return slot;
  }
}
