import { Observable, type Observer, type OperatorFunction, type Subscriber, type TeardownLogic } from '../rxjs.ts';
import { Errors, isEarshotError } from '../errors.ts';
import { takeFault } from './faultInjection.ts';

/**
 * Wraps a handler so that a throw inside it becomes the stream's error. A
 * hand-written operator's handlers run inside its source's subscriber, a
 * timer, a promise or an event emitter: there a throw would escape to RxJS's
 * reportUnhandledError (or become an unhandled rejection) and end the whole
 * process, not just the stream it belongs to.
 */
export type Guard = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => void;

/** An operator's handlers for its source: `error` and `complete` forward to the output when left out. */
export interface SourceHandlers<T> {
  next: (value: T) => void;
  error?: (err: unknown) => void;
  complete?: () => void;
}

/** What `init` gets: the output subscriber, a {@link Guard} bound to it, and `observe`, the guarded observer for a source. */
export interface Operating<R> {
  sub: Subscriber<R>;
  guard: Guard;
  observe<T>(handlers: SourceHandlers<T>): Observer<T>;
}

/**
 * A source whose every handler fails safely, named for its error messages:
 * `init` runs at each subscription (a throw there errors that subscription,
 * as `new Observable` does) and wraps each callback it registers with
 * `guard` (or subscribes with `observe`). A throw that is not an EARSHOT_*
 * error becomes OPERATOR_FAILED naming the step, so the stream's clients
 * read which step broke; an EARSHOT_* error passes as it is.
 *
 * @example
 * guardedObservable<number>('ticks', ({ sub, guard }) => {
 *   const t = setInterval(guard(() => sub.next(Date.now())), 100);
 *   return () => clearInterval(t);
 * });
 */
export function guardedObservable<R>(name: string, init: (ctx: Operating<R>) => TeardownLogic): Observable<R> {
  return new Observable<R>((sub) => {
    const fault = takeFault(name);
    const fail = (err: unknown) => sub.error(isEarshotError(err) ? err : new Errors.OPERATOR_FAILED(name, (err as Error)?.message ?? String(err)));
    const guard: Guard =
      (fn) =>
      (...args) => {
        try {
          if (fault) throw fault;
          fn(...args);
        } catch (err) {
          fail(err);
        }
      };
    const observe = <T>(h: SourceHandlers<T>): Observer<T> => ({
      next: guard(h.next),
      error: guard(h.error ?? ((err: unknown) => sub.error(err))),
      complete: guard(h.complete ?? (() => sub.complete())),
    });
    return init({ sub, guard, observe });
  });
}

/**
 * An operator built on {@link guardedObservable}: the public-RxJS
 * counterpart of RxJS's own internal `operate` + `createOperatorSubscriber`,
 * which every built-in operator uses so that a throw in a handler errors the
 * subscriber instead of the process.
 *
 * @example
 * const double = operate<number, number>('double', (source, { sub, observe }) => source.subscribe(observe({ next: (x) => sub.next(2 * x) })));
 */
export function operate<T, R>(name: string, init: (source: Observable<T>, ctx: Operating<R>) => TeardownLogic): OperatorFunction<T, R> {
  return (source) => guardedObservable<R>(name, (ctx) => init(source, ctx));
}
