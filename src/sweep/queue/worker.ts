/**
 * `earshot worker --redis URL`: runs the cells of any sweep queued on that
 * Redis on this machine's CellPool (coordinator.ts queues them).
 */
import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { LRUCache } from 'lru-cache';
import { cachedLoad } from '../../cachedLoad.ts';
import { CellPool } from '../cellPool.ts';
import type { SweepContext } from '../types.ts';
import { decodeJson, encodeJson } from './json.ts';
import { contextKey, PREFIX, QUEUE_NAME, type CellJobData } from './names.ts';
import { assertRedisReachable, redactUrl } from './redis.ts';

const CONTEXTS_KEPT = 4;

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
