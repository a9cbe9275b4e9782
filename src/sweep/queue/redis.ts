/**
 * Redis connections for the sweep queue: the URL checked, one connection
 * attempt that fails at once when Redis is away, BullMQ objects closed even
 * when it is gone, and URLs shown without their password.
 */
import { Queue, type QueueEvents, type Worker } from 'bullmq';
import { Errors } from '../../errors.ts';
import { PREFIX, QUEUE_NAME } from './names.ts';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Close BullMQ objects, also when Redis is gone: a client that lost Redis cannot
 * QUIT and would go on reconnecting, so it is cut first. Bounded in time, since
 * a promise left pending with nothing else to wait for ends Node silently (exit code 0).
 */
export async function closeAll(parts: (Queue | QueueEvents | Worker)[]): Promise<void> {
  const close = async (part: Queue | QueueEvents | Worker) => {
    const client = await part.client;
    if (client.status !== 'ready') client.disconnect();
    await part.close();
  };
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(parts.map(close)), new Promise((resolve) => (timer = setTimeout(resolve, CONNECT_TIMEOUT_MS)))]);
  clearTimeout(timer);
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
export function redactUrl(url: string): string {
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
