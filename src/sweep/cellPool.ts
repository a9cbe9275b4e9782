import { availableParallelism } from 'node:os';
import { Errors } from '../errors.ts';
import { PoolThread } from '../poolThread.ts';
import type { Cell, CellRecord, SweepContext, SweepSpec } from './types.ts';

/** What the pool asks a thread (the context travels with a thread's first cell of a sweep only). */
export type ThreadTask =
  | { id: number; type: 'clean'; spec: SweepSpec; model: string; files: string[]; cacheDir: string | null }
  | { id: number; type: 'cell'; contextId: string; context?: SweepContext; cell: Cell; part?: { from: number; to: number } }
  | { id: number; type: 'warm'; spec: SweepSpec; model: string; files: string[] };

export type ThreadReply =
  | { id: number; ok: true; embeddings: Float32Array[]; cached: number }
  | { id: number; ok: true; record: CellRecord }
  | { id: number; ok: true; warmed: true }
  | { id: number; ok: false; error: { message: string; code?: string; stack?: string } };

/** Asks a busy thread to give up its task at the next clip. */
export interface ThreadStop {
  type: 'stop';
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Pending {
  task: DistributiveOmit<ThreadTask, 'id'>;
  /** Only this thread (its index) may take the task. */
  thread?: number;
  context?: SweepContext;
  resolve: (reply: ThreadReply & { ok: true }) => void;
  reject: (err: Error) => void;
}

class Thread extends PoolThread<Pending, ThreadReply> {
  /** The contexts this thread has been sent. */
  readonly contexts = new Set<string>();
}

/**
 * Worker threads that run whole cells (render, encode, probe) on one
 * in-process ONNX session each, one thread per core by default: cells are
 * independent, so a sweep scales with threads and needs no locking. A thread
 * that dies fails its task with WORKER_CRASHED and is replaced.
 */
export class CellPool {
  readonly size: number;
  private readonly threads: Thread[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private closing: Promise<void> = Promise.resolve();

  constructor(opts: { threads?: number } = {}) {
    const n = opts.threads ?? availableParallelism();
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new Errors.INVALID_OPTION(`--workers must be an integer in 1..256, got ${opts.threads}`);
    this.size = n;
    for (let i = 0; i < n; i++) this.threads.push(this.start());
  }

  /** Clean scene embeddings of `files` (relative to spec.data), read from or written to the cache in `cacheDir`; `cached`: how many came from it. */
  async embedClean(spec: SweepSpec, model: string, files: string[], cacheDir: string | null): Promise<{ embeddings: Float32Array[]; cached: number }> {
    const reply = await this.submit({ task: { type: 'clean', spec, model, files, cacheDir } });
    const { embeddings, cached } = reply as { embeddings: Float32Array[]; cached: number };
    return { embeddings, cached };
  }

  /**
   * Run one cell of a sweep. With `parts` > 1 (protocols with a fixed probe),
   * its test clips are split into that many ranges run on any free threads
   * and joined: the same record, sooner, when there are fewer cells than threads.
   */
  async run(context: SweepContext, cell: Cell, parts = 1): Promise<CellRecord> {
    const n = context.test.length;
    const count = context.spec.protocol === 'matched' ? 1 : Math.max(1, Math.min(parts, n));
    const ranges = Array.from({ length: count }, (_, k) => ({ from: Math.floor((k * n) / count), to: Math.floor(((k + 1) * n) / count) }));
    const records = await Promise.all(
      ranges.map(async (part) => {
        const reply = await this.submit({ task: { type: 'cell', contextId: context.id, cell, ...(count > 1 ? { part } : {}) }, context });
        return (reply as { record: CellRecord }).record;
      }),
    );
    if (records.length === 1) return records[0];
    return {
      ...records[0],
      probabilities: records.flatMap((r) => r.probabilities),
      cosine: records.flatMap((r) => r.cosine),
      ...(records[0].wakeword ? { wakeword: { accepts: records.flatMap((r) => r.wakeword!.accepts), durationS: records.flatMap((r) => r.wakeword!.durationS) } } : {}),
      elapsedS: Math.max(...records.map((r) => r.elapsedS)),
      worker: [...new Set(records.map((r) => r.worker))].join(','),
    };
  }

  /**
   * Have every thread load the model and the scene banks and decode `files`
   * now, e.g. while the main thread trains a probe, so the first cells do not
   * pay for it.
   */
  async warmUp(spec: SweepSpec, model: string, files: string[]): Promise<void> {
    await Promise.all(this.threads.map((_, thread) => this.submit({ task: { type: 'warm', spec, model, files }, thread })));
  }

  /**
   * Stop: tasks not started yet are rejected, tasks under way stop at their
   * next clip (rejected with POOL_CLOSED), then the threads end. Terminating a
   * thread in the middle of an ONNX run would abort the whole process, so a
   * thread is only terminated once idle (or after `graceMs`, as a last resort).
   */
  async close(graceMs = 60_000): Promise<void> {
    if (this.closed) return this.closing;
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Errors.POOL_CLOSED('the sweep was stopped'));
    for (const t of this.threads) if (t.job !== undefined) t.post({ type: 'stop' } satisfies ThreadStop);
    this.closing = Promise.all(this.threads.map((t) => t.stop(graceMs))).then(() => {});
    return this.closing;
  }

  private submit(p: Omit<Pending, 'resolve' | 'reject'>): Promise<ThreadReply & { ok: true }> {
    if (this.closed) return Promise.reject(new Errors.POOL_CLOSED('the sweep was stopped'));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...p, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const [index, thread] of this.threads.entries()) {
      if (thread.job !== undefined) continue;
      const at = this.queue.findIndex((p) => p.thread === undefined || p.thread === index);
      if (at < 0) continue;
      const [next] = this.queue.splice(at, 1);
      const task = { ...next.task, id: this.nextId++ } as ThreadTask;
      if (task.type === 'cell' && next.context && !thread.contexts.has(task.contextId)) {
        task.context = next.context;
        thread.contexts.add(task.contextId);
      }
      thread.run(next, task);
    }
  }

  private start(): Thread {
    const thread: Thread = new Thread(new URL('./cellThread.ts', import.meta.url), {
      message: (reply) => {
        const pending = thread.finish();
        if (reply.ok) pending?.resolve(reply);
        else pending?.reject(rebuildError(reply.error));
        this.dispatch();
      },
      exit: (reason, pending) => {
        if (this.closed) return pending?.reject(new Errors.POOL_CLOSED('the sweep was stopped'));
        this.threads[this.threads.indexOf(thread)] = this.start();
        pending?.reject(new Errors.WORKER_CRASHED(`a sweep thread died (${reason}); its cell is not recorded and runs again next time`));
        this.dispatch();
      },
    });
    return thread;
  }
}

/** An error from a thread, with its earshot code (so messages and exit codes read as if raised here). */
function rebuildError(e: { message: string; code?: string; stack?: string }): Error {
  const err = Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
  if (e.stack) err.stack = e.stack;
  return err;
}
