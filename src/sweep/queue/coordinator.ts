/**
 * The coordinator of a sweep across machines (`earshot sweep --redis URL`):
 * it stores the sweep's context, queues one job per cell and records each
 * finished cell once (names.ts says how jobs are named; worker.ts runs them).
 */
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import { Errors } from '../../errors.ts';
import type { Cell, CellRecord, SweepContext } from '../types.ts';
import { decodeJson, encodeJson } from './json.ts';
import { cellJobId, contextKey, KEEP_S, PREFIX, QUEUE_NAME, type CellJobData } from './names.ts';
import { assertRedisReachable, closeAll, redactUrl } from './redis.ts';

const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: KEEP_S },
  removeOnFail: { age: KEEP_S },
};
/** The coordinator rereads the state of unfinished jobs this often, in case it missed an event. */
const RECONCILE_MS = 5_000;
const WAITING_NOTICE_MS = 5_000;
/** A coordinator that cannot reach Redis for this long gives up (what it recorded stays recorded). */
const REDIS_LOST_MS = 30_000;

/**
 * Coordinate a sweep through Redis: store the context, enqueue every cell, and
 * hand each finished cell's record to `onRecord` exactly once, one at a time,
 * resolving when all are recorded. A cell that fails on every attempt does not
 * stop the others: once they are recorded, rejects with CELL_FAILED naming it
 * and the worker's reason (a rerun retries it). Rejects with REDIS_UNAVAILABLE
 * when Redis cannot be reached, or with the signal's reason when aborted (jobs
 * stay queued for the next run).
 */
export async function distributeCells(
  url: string,
  context: SweepContext,
  cells: Cell[],
  onRecord: (r: CellRecord) => Promise<void>,
  opts: { signal?: AbortSignal; onWaiting?: (info: { workers: number }) => void } = {},
): Promise<void> {
  opts.signal?.throwIfAborted();
  await assertRedisReachable(url);
  // No offline queue: while Redis is away, calls fail at once and the coordinator can count how long.
  const queue = new Queue<CellJobData, string>(QUEUE_NAME, { prefix: PREFIX, connection: { url, enableOfflineQueue: false } });
  const events = new QueueEvents(QUEUE_NAME, { prefix: PREFIX, connection: { url } });
  // Connection errors are retried by ioredis; the reconcile loop decides when Redis is gone for good.
  queue.on('error', () => {});
  events.on('error', () => {});
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    await (await queue.client).set(contextKey(context.id), encodeJson(context), { EX: KEEP_S });
    await new CellCollector(url, queue, events, context, cells, onRecord, opts).run();
  } finally {
    await closeAll([events, queue]);
  }
}

/** Waits for the cells of one coordinator run; see distributeCells. */
class CellCollector {
  /** Job id → cell, for cells neither recorded nor failed yet. */
  private readonly pending = new Map<string, Cell>();
  /** Cells that failed on every attempt during this run: "key: reason". */
  private readonly failures: string[] = [];
  private recording: Promise<void> = Promise.resolve();
  /** Records handed to the chain whose onRecord has not returned yet. */
  private unwritten = 0;
  private settle!: { resolve: () => void; reject: (err: unknown) => void };
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private noWorkersSince: number | null = null;
  private toldWaiting = false;
  private redisLostSince: number | null = null;

  constructor(
    private readonly url: string,
    private readonly queue: Queue<CellJobData, string>,
    private readonly events: QueueEvents,
    private readonly context: SweepContext,
    cells: Cell[],
    private readonly onRecord: (r: CellRecord) => Promise<void>,
    private readonly opts: { signal?: AbortSignal; onWaiting?: (info: { workers: number }) => void },
  ) {
    for (const cell of cells) this.pending.set(cellJobId(context.id, cell.key), cell);
  }

  async run(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    const onAbort = () => this.fail(this.opts.signal?.reason);
    this.opts.signal?.addEventListener('abort', onAbort, { once: true });
    // Listen before adding, then read every job's state after adding: a job that finishes in between is seen either way.
    this.events.on('completed', this.onCompleted);
    this.events.on('failed', this.onFailed);
    try {
      if (this.pending.size === 0) this.settleIfDone();
      else {
        await this.enqueue();
        await this.checkAll(true);
        this.noticeWorkers(await this.queue.getWorkersCount());
        this.schedule();
      }
      await done;
    } finally {
      this.finished = true;
      // Records already in hand are written even when the run stops early.
      await this.recording.catch(() => {});
      clearTimeout(this.timer);
      this.events.off('completed', this.onCompleted);
      this.events.off('failed', this.onFailed);
      this.opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  private readonly onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => this.record(jobId, returnvalue);
  private readonly onFailed = ({ jobId }: { jobId: string }) => {
    if (this.pending.has(jobId)) this.check(jobId, false).catch((err) => this.fail(err));
  };

  /** Add every cell's job; BullMQ keeps an existing job with the same id (of an earlier run) as it is. */
  private async enqueue(): Promise<void> {
    const jobs = [...this.pending].map(([jobId, cell]) => ({ name: 'cell', data: { contextId: this.context.id, cell }, opts: { ...JOB_OPTIONS, jobId } }));
    for (let i = 0; i < jobs.length && !this.finished; i += 500) await this.queue.addBulk(jobs.slice(i, i + 500));
  }

  /**
   * Act on a job's state in Redis. `retryFailed`: a job that failed before this
   * run gets a fresh set of attempts; one that fails during the run is a failure.
   */
  private async check(jobId: string, retryFailed: boolean): Promise<void> {
    const cell = this.pending.get(jobId);
    if (!cell || this.finished) return;
    const state = await this.stateOf(jobId);
    if (state === 'completed' || state === 'failed') {
      const job = await this.queue.getJob(jobId);
      if (!job) return this.readd(jobId, cell); // removed in between (expired): run it again
      if (state === 'completed') return this.record(jobId, job.returnvalue);
      if (retryFailed) return job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      this.pending.delete(jobId);
      this.failures.push(`${cell.key}: ${job.failedReason} (${job.attemptsMade} attempts)`);
      this.settleIfDone();
    } else if (state === 'unknown') {
      await this.readd(jobId, cell);
    }
  }

  /**
   * Whether a job has finished, or is gone. Cheaper than BullMQ's getJobState,
   * which scans the wait list (that would make checking every job quadratic).
   */
  private async stateOf(jobId: string): Promise<'completed' | 'failed' | 'unfinished' | 'unknown'> {
    const client = await this.queue.client;
    const [completed, failed, exists] = await Promise.all([
      client.zscore(this.queue.keys.completed, jobId),
      client.zscore(this.queue.keys.failed, jobId),
      client.hexists(this.queue.toKey(jobId), 'timestamp'),
    ]);
    return completed !== null ? 'completed' : failed !== null ? 'failed' : exists ? 'unfinished' : 'unknown';
  }

  private async readd(jobId: string, cell: Cell): Promise<void> {
    await this.queue.add('cell', { contextId: this.context.id, cell }, { ...JOB_OPTIONS, jobId });
  }

  private async checkAll(retryFailed: boolean): Promise<void> {
    const ids = [...this.pending.keys()];
    // Concurrent calls share one connection, so a batch costs about one round trip.
    for (let i = 0; i < ids.length && !this.finished; i += 200) await Promise.all(ids.slice(i, i + 200).map((id) => this.check(id, retryFailed)));
  }

  private record(jobId: string, value: unknown): void {
    const cell = this.pending.get(jobId);
    if (!cell || this.finished) return;
    this.pending.delete(jobId);
    let record: CellRecord;
    try {
      record = decodeRecord(value, cell);
    } catch (err) {
      return this.fail(err);
    }
    this.unwritten++;
    // One record at a time, in arrival order: the caller appends each durably.
    this.recording = this.recording.then(() => this.onRecord(record));
    this.recording.then(
      () => {
        this.unwritten--;
        this.settleIfDone();
      },
      (err) => this.fail(err),
    );
  }

  private settleIfDone(): void {
    if (this.pending.size > 0 || this.unwritten > 0 || this.finished) return;
    if (this.failures.length === 0) {
      this.finished = true;
      this.settle.resolve();
      return;
    }
    const shown = this.failures.slice(0, 3).join('; ') + (this.failures.length > 3 ? '; ...' : '');
    this.fail(new Errors.CELL_FAILED(`${this.failures.length} cell(s) failed on every attempt in \`earshot worker\` (the others are saved; rerun to retry): ${shown}`));
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.settle.reject(err);
  }

  private schedule(): void {
    if (!this.finished) this.timer = setTimeout(() => this.tick().finally(() => this.schedule()), RECONCILE_MS);
  }

  /** Look for missed events, for workers, and for Redis itself. */
  private async tick(): Promise<void> {
    try {
      const workers = await this.queue.getWorkersCount();
      await this.checkAll(false);
      this.redisLostSince = null;
      this.noticeWorkers(workers);
    } catch (err) {
      if (this.finished) return;
      this.redisLostSince ??= Date.now();
      if (Date.now() - this.redisLostSince >= REDIS_LOST_MS) this.fail(new Errors.REDIS_UNAVAILABLE(redactUrl(this.url), `no answer for ${REDIS_LOST_MS / 1000} s: ${(err as Error).message}`));
    }
  }

  private noticeWorkers(workers: number): void {
    if (workers > 0) {
      this.noWorkersSince = null;
      this.toldWaiting = false;
      return;
    }
    this.noWorkersSince ??= Date.now();
    if (!this.toldWaiting && Date.now() - this.noWorkersSince >= WAITING_NOTICE_MS) {
      this.toldWaiting = true;
      this.opts.onWaiting?.({ workers });
    }
  }
}

function decodeRecord(value: unknown, cell: Cell): CellRecord {
  const record = typeof value === 'string' ? (decodeJson(value) as CellRecord | null) : null;
  if (record?.kind !== 'cell' || record.key !== cell.key) {
    throw new Errors.CELL_FAILED(`cell ${cell.key}: the worker returned no record for it (${JSON.stringify(value)?.slice(0, 80)}); is every \`earshot worker\` the same version as this earshot?`);
  }
  return record;
}
