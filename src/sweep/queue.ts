/**
 * Sweeps across machines: the coordinator (`earshot sweep --redis URL`) puts
 * one BullMQ job per cell on a Redis queue, and `earshot worker --redis URL`
 * processes run them on their own CellPool. Job ids derive from the sweep's
 * context id and the cell key, so a rerun finds the jobs of an earlier run:
 * finished cells come back from Redis instead of running again.
 */
import { hostname } from 'node:os';
import { Queue, QueueEvents, UnrecoverableError, WaitingError, Worker, type Job, type JobsOptions } from 'bullmq';
import { LRUCache } from 'lru-cache';
import { cachedLoad } from '../cachedLoad.ts';
import { Errors } from '../errors.ts';
import { CellPool } from './cellPool.ts';
import type { Cell, CellRecord, SweepContext } from './types.ts';

const PREFIX = 'earshot';
const QUEUE_NAME = 'sweep-cells';
/** How long contexts and finished jobs stay in Redis: long enough to resume a sweep after a weekend. */
const KEEP_S = 7 * 24 * 3600;
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
const CONNECT_TIMEOUT_MS = 5_000;
const CONTEXTS_KEPT = 4;

interface CellJobData {
  contextId: string;
  cell: Cell;
}

/** The Redis key of a sweep's context. */
const contextKey = (contextId: string): string => `${PREFIX}:sweep-context:${contextId}`;

/** BullMQ job ids must not contain ':' (cell keys may); encoding both parts keeps the id unique and stable. */
function cellJobId(contextId: string, cellKey: string): string {
  return `${encodeURIComponent(contextId)}/${encodeURIComponent(cellKey)}`;
}

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

/**
 * Close BullMQ objects, also when Redis is gone: a client that lost Redis cannot
 * QUIT and would go on reconnecting, so it is cut first. Bounded in time, since
 * a promise left pending with nothing else to wait for ends Node silently (exit code 0).
 */
async function closeAll(parts: (Queue | QueueEvents | Worker)[]): Promise<void> {
  const close = async (part: Queue | QueueEvents | Worker) => {
    const client = await part.client;
    if (client.status !== 'ready') client.disconnect();
    await part.close();
  };
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(parts.map(close)), new Promise((resolve) => (timer = setTimeout(resolve, CONNECT_TIMEOUT_MS)))]);
  clearTimeout(timer);
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

/**
 * Run the cells of any sweep queued on the Redis at `url` on this machine until
 * `signal` aborts: then take no new cells and finish the running ones, or,
 * once `giveBack` aborts too, return them to the queue for other workers.
 */
export async function runWorker(
  url: string,
  opts: { threads?: number; signal?: AbortSignal; giveBack?: AbortSignal; log?: (line: string) => void },
): Promise<void> {
  const log = opts.log ?? (() => {});
  await assertRedisReachable(url);
  if (opts.signal?.aborted) return;
  const pool = new CellPool({ threads: opts.threads });
  let worker: Worker<CellJobData, string> | undefined;
  try {
    // The last few contexts, loaded once each (concurrent cells of one sweep share the load).
    const contexts = new LRUCache<string, Promise<SweepContext>>({ max: CONTEXTS_KEPT });
    let running = 0;
    worker = new Worker<CellJobData, string>(
      QUEUE_NAME,
      async (job, token) => {
        running++;
        try {
          const context = await cachedLoad(contexts, job.data.contextId, async () => readContext(await worker!.client, job.data.contextId));
          const record = await untilAborted(pool.run(context, job.data.cell), opts.giveBack);
          if (record === null) {
            // Back to the queue for another worker; WaitingError tells BullMQ the job was moved, not failed.
            await job.moveToWait(token);
            throw new WaitingError();
          }
          return encodeJson(record);
        } finally {
          running--;
        }
      },
      { prefix: PREFIX, connection: { url }, concurrency: pool.size, autorun: false, name: `${hostname()}/${process.pid}` },
    );
    worker.on('completed', (job) => log(`${job.data.cell.key}: done in ${secondsSince(job)} (sweep ${job.data.contextId.slice(0, 8)})`));
    worker.on('failed', (job, err) => {
      if (job) log(`${job.data.cell.key}: failed (attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}): ${err.message}`);
    });
    worker.on('error', rateLimited(30_000, (err: Error) => log(`Redis: ${err.message} (retrying)`)));
    await worker.waitUntilReady();
    const loop = worker.run();
    log(`running sweep cells from ${redactUrl(url)} on ${pool.size} thread${pool.size === 1 ? '' : 's'}`);
    await Promise.race([loop, aborted(opts.signal), aborted(opts.giveBack)]);
    if ((await worker.client).status !== 'ready') {
      // Nothing can be acknowledged without Redis, and a graceful close would wait for it forever.
      log(`Redis is unreachable: leaving${running > 0 ? ` ${running} running cell(s); they run again once it is back` : ''}`);
      await worker.close(true);
    } else {
      if (running > 0 && !opts.giveBack?.aborted) log(`stopping: finishing ${running} running cell${running === 1 ? '' : 's'}`);
      await worker.close();
    }
    await loop;
  } finally {
    await worker?.close(true);
    await pool.close();
  }
}

async function readContext(client: { get(key: string): Promise<string | null> }, contextId: string): Promise<SweepContext> {
  const text = await client.get(contextKey(contextId));
  // No retries can help: the coordinator must store it again (rerunning `earshot sweep` does).
  if (text === null) throw new UnrecoverableError(`sweep context ${contextId} is not in Redis (expired or deleted); rerun \`earshot sweep --redis\` to store it again`);
  return decodeJson(text) as SweepContext;
}

/** The value of `work`, or null as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | null> {
  if (!signal) return work;
  return Promise.race([work, aborted(signal).then(() => null)]);
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

function secondsSince(job: Job): string {
  return job.processedOn ? `${((Date.now() - job.processedOn) / 1000).toFixed(1)} s` : '?';
}

function rateLimited<A extends unknown[]>(intervalMs: number, fn: (...args: A) => void): (...args: A) => void {
  let last = -Infinity;
  return (...args) => {
    if (Date.now() - last < intervalMs) return;
    last = Date.now();
    fn(...args);
  };
}

function checkRedisUrl(url: string): string {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (parsed === null || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    throw new Errors.INVALID_OPTION(`--redis must be a URL like redis://HOST:6379 (rediss:// for TLS), got ${JSON.stringify(url)}`);
  }
  return url;
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * Check the URL and make one connection attempt, with no retries: a Redis that
 * is down or unreachable fails at once with REDIS_UNAVAILABLE instead of
 * ioredis reconnecting forever. Call it before any slow work.
 */
export async function assertRedisReachable(redisUrl: string): Promise<void> {
  const url = checkRedisUrl(redisUrl);
  const probe = new Queue(QUEUE_NAME, {
    prefix: PREFIX,
    connection: { url, connectTimeout: CONNECT_TIMEOUT_MS, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null },
  });
  let lastError: Error | undefined;
  probe.on('error', (err) => (lastError ??= err));
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS + 1_000)));
    await Promise.race([probe.waitUntilReady(), timeout]);
  } catch (err) {
    throw new Errors.REDIS_UNAVAILABLE(redactUrl(url), describeConnectionError(lastError ?? (err as Error)));
  } finally {
    clearTimeout(timer);
    await probe.close().catch(() => {});
  }
}

function describeConnectionError(err: Error): string {
  // Node reports a refused connection to a name with several addresses as an AggregateError with no message.
  if (err instanceof AggregateError && err.errors.length > 0) return describeConnectionError(err.errors[0] as Error);
  return err.message || (err as NodeJS.ErrnoException).code || String(err);
}

// Records and contexts travel as JSON; these keep what JSON loses: typed arrays, NaN, ±Infinity and -0.
const NUMBER_TAG = '$earshot:number';

function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { [NUMBER_TAG]: Object.is(v, -0) ? '-0' : String(v) };
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    return v;
  });
}

function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const tagged = (v as Record<string, unknown>)[NUMBER_TAG];
      if (typeof tagged === 'string' && Object.keys(v).length === 1) return Number(tagged);
    }
    return v;
  });
}
