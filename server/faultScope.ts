import { AsyncLocalStorage } from 'node:async_hooks';

/** What a fault nobody caught belongs to: a stream or a WebSocket connection, which `end` closes with a message to its clients. */
export interface FaultOwner {
  /** "stream 3f2a...", "WebSocket connection 81c0...": for the log. */
  readonly label: string;
  end(err: unknown): void;
}

interface FaultLog {
  error(obj: object, msg: string): void;
}

// Node carries this store into every timer, promise continuation and event
// callback started inside `runOwnedBy`, and restores it when it reports an
// unhandled rejection or an uncaught exception raised there: so the process
// handlers below know whose fault it was.
const scope = new AsyncLocalStorage<FaultOwner>();

/** Run `fn` (and everything it starts) as `owner`'s work. */
export function runOwnedBy<T>(owner: FaultOwner, fn: () => T): T {
  return scope.run(owner, fn);
}

/**
 * The server's last line of defence, for `earshot serve`: an unhandled
 * rejection or uncaught exception is logged and ends only the stream or
 * connection whose work raised it (with a message to its clients); the
 * process runs on. A fault outside any owner (a request, startup) is logged
 * only. Returns a function that removes the handlers.
 */
export function containFaults(log: FaultLog): () => void {
  const handle = (what: string) => (err: unknown) => {
    const owner = scope.getStore();
    log.error({ err, owner: owner?.label }, owner ? `${what} in ${owner.label}: ending it; the server runs on` : `${what}: the server runs on`);
    if (owner === undefined) return;
    try {
      owner.end(err);
    } catch (endErr) {
      log.error({ err: endErr, owner: owner.label }, `could not end ${owner.label}`);
    }
  };
  const onRejection = handle('unhandled rejection');
  const onException = handle('uncaught exception');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
