import { asyncScheduler, concatMap, from, map, type ObservableInput, type OperatorFunction, type SchedulerLike, type Subscription } from '../rxjs.ts';
import { operate } from './operate.ts';
import type { AudioWindow, EncodedWindow, WindowEmbeddings } from './types.ts';

/**
 * What happens to windows that arrive while the encoder is busy. 'all':
 * they wait their turn, none is lost (files read faster than real time).
 * 'latest': latest wins — one window encodes, at most `maxPending` wait, and
 * an arrival beyond that drops the oldest waiting one (live sources, which
 * must never block: the newest audio is what a live view needs, and the
 * delay a window can build up is bounded by maxPending hops).
 */
export type DropPolicy = 'all' | 'latest';

/** Options of {@link encodeWindows}. */
export interface EncodeWindowsOptions {
  policy: DropPolicy;
  /** 'latest': windows that may wait (default 1: only the newest one). */
  maxPending?: number;
  /** Called with each dropped window (for a stream's counters). */
  onDrop?: (window: AudioWindow) => void;
  scheduler?: SchedulerLike;
}

/**
 * Embed each window's clean and degraded audio with `embed` (one call per
 * window; the encoder stacks calls from every stream in the shared pool),
 * adding `encodedAtMs` and `droppedTotal` (windows of this model dropped so
 * far). Order is kept; an embedding error ends the stream with it.
 *
 * ```
 * policy 'latest', encoding takes 3 frames:
 * source:  a-b-c-d-----|
 * result:  ---A-----D--|   (b replaced by c, c by d: 2 dropped)
 * ```
 */
export function encodeWindows(embed: (w: AudioWindow) => ObservableInput<WindowEmbeddings>, opts: EncodeWindowsOptions): OperatorFunction<AudioWindow, EncodedWindow> {
  const { policy, onDrop, maxPending = 1, scheduler = asyncScheduler } = opts;
  const encoded = (w: AudioWindow, e: WindowEmbeddings, droppedTotal: number): EncodedWindow => ({
    ...w,
    cleanEmbedding: e.clean,
    degradedEmbedding: e.degraded,
    encodedAtMs: scheduler.now(),
    droppedTotal,
  });
  if (policy === 'all') return concatMap((w) => from(embed(w)).pipe(map((e) => encoded(w, e, 0))));
  return operate<AudioWindow, EncodedWindow>('encodeWindows', (source, { sub, observe }) => {
    let running = false;
    let current: Subscription | null = null;
    const waiting: AudioWindow[] = [];
    let dropped = 0;
    let ended = false;
    const start = (w: AudioWindow) => {
      running = true;
      let done = false;
      const s = from(embed(w)).subscribe(
        observe({
          next: (e) => sub.next(encoded(w, e, dropped)),
          complete: () => {
            done = true;
            running = false;
            current = null;
            const next = waiting.shift();
            if (next) start(next);
            else if (ended) sub.complete();
          },
        }),
      );
      // An embed that finished synchronously has already moved on.
      if (!done) current = s;
    };
    const input = source.subscribe(
      observe({
        next: (w) => {
          if (!running) return start(w);
          waiting.push(w);
          if (waiting.length > maxPending) {
            const oldest = waiting.shift()!;
            dropped++;
            onDrop?.(oldest);
          }
        },
        complete: () => {
          ended = true;
          if (!running) sub.complete();
        },
      }),
    );
    return () => {
      input.unsubscribe();
      (current as Subscription | null)?.unsubscribe();
    };
  });
}
