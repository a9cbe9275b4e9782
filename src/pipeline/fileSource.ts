import { asyncScheduler, interval, type Observable, type SchedulerAction, type SchedulerLike, type Subscription } from '../rxjs.ts';
import type { AudioReader } from '../audio/audioReader.ts';
import type { AudioData } from '../audio/types.ts';
import { mixDown } from '../dsp/channels.ts';
import { Errors } from '../errors.ts';
import type { SourceChunk } from './types.ts';
import { memoryFeed, readerFeed, type SampleFeed } from './fileSourceInternals.ts';
import { guardedObservable } from './operate.ts';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** Decoded audio; channels are mixed down to mono (their mean). Give this or `file`. */
  audio?: AudioData;
  /**
   * A file read block by block as the stream goes (a few seconds ahead, so memory does not
   * grow with the file): its rate, and a reader of its mono blocks (called again for each
   * subscription and, with `loop`, at each end). Give this or `audio`.
   */
  file?: { sampleRateHz: number; open(): Promise<AudioReader> };
  /** true: one chunk every `chunkS` of wall time (a live demo); false: as fast as `until$` allows. */
  realtime: boolean;
  /** Start again at the end, forever; stream time keeps counting. */
  loop: boolean;
  /** Samples per chunk, in seconds of audio (the last chunk of a file may be shorter). */
  chunkS: number;
  /** Not real time: emit audio only up to this stream time (seconds), as it rises; absent: all of it, one second of audio per scheduler turn. */
  until$?: Observable<number>;
  scheduler?: SchedulerLike;
}

/** Seconds of a file read ahead of the stream. */
const READ_AHEAD_S = 2;

/**
 * A file as a stream of mono chunks, `t0` counting seconds from the
 * start and `capturedAtMs` the (ideal, for a paced file) wall time of each
 * chunk's last sample.
 *
 * Real time: chunk k is due `(k + 1) · chunkS` after subscription; a timer
 * ticks every `chunkS` and sends every chunk due, so pacing does not drift
 * with timer jitter. Not real time: nothing is dropped or paced; the caller
 * sets how far ahead it may run with `until$` (its backpressure), or the whole
 * file goes out in bursts of one second. A `file` is read ahead of the
 * stream; should the reads fall behind, chunks wait for them (a paced source
 * then catches up), and a read error ends the stream with that error.
 *
 * ```
 * realtime, chunkS 10 ms, 3.5 chunks:  ----------a---------b---------c---------(d|)
 * ```
 *
 * @example
 * fileSource({ audio, realtime: true, loop: false, chunkS: 0.02 }).subscribe((c) => scene.process(c.channels[0]));
 */
export function fileSource(opts: FileSourceOptions): Observable<SourceChunk> {
  const { audio, file, realtime, loop, chunkS, until$, scheduler = asyncScheduler } = opts;
  if ((audio === undefined) === (file === undefined)) throw new Errors.INVALID_OPTION('fileSource: give either audio or file');
  const sr = audio?.sampleRateHz ?? file!.sampleRateHz;
  const mono = audio ? mixDown(audio.channels) : null;
  const chunk = Math.round(chunkS * sr);
  if (!(chunk >= 1)) throw new Errors.INVALID_OPTION(`chunkS must give at least one sample at ${sr} Hz, got ${chunkS}`);
  if (mono?.length === 0) throw new Errors.INVALID_OPTION('fileSource: the audio has no samples');

  return guardedObservable<SourceChunk>('fileSource', ({ sub, guard, observe }) => {
    const feed: SampleFeed = mono ? memoryFeed(mono, sr, loop) : readerFeed(file!.open, sr, { loop, aheadSamples: Math.max(4 * chunk, READ_AHEAD_S * sr) });
    let k = 0;
    let sent = 0;
    let waiting = false;
    // Send the next chunk if its samples are here (false: wait for the feed); completes after the last.
    const emit = (capturedAtMs: number): boolean => {
      const n = Math.min(chunk, feed.available());
      if (n < chunk && !feed.done()) return false;
      if (n > 0) {
        k++;
        sub.next({ t0: sent / sr, sampleRateHz: sr, channels: [feed.take(n)], capturedAtMs });
        sent += n;
      }
      if (feed.done() && feed.available() === 0) sub.complete();
      return true;
    };
    // Call `go` again once the feed has more samples.
    const whenReady = (go: () => void) => {
      if (waiting) return;
      waiting = true;
      feed.ready().then(
        guard(() => {
          waiting = false;
          if (!sub.closed) go();
        }),
        (err: unknown) => sub.error(err),
      );
    };
    let teardown: Subscription;
    if (realtime) {
      const startMs = scheduler.now();
      const periodMs = (chunk / sr) * 1000;
      teardown = interval(periodMs, scheduler).subscribe(
        observe({
          next: () => {
            const due = Math.floor((scheduler.now() - startMs) / periodMs + 1e-9);
            while (k < due && !sub.closed) {
              if (!emit(startMs + (k + 1) * periodMs)) {
                whenReady(() => undefined);
                break;
              }
            }
          },
        }),
      );
    } else if (until$) {
      let untilS = -Infinity;
      const pump = () => {
        while (!sub.closed && sent < untilS * sr) {
          if (!emit(scheduler.now())) return whenReady(pump);
        }
      };
      teardown = until$.subscribe(
        observe({
          next: (s) => {
            untilS = s;
            pump();
          },
          // The host ending until$ (its stream stopping) ends nothing here: it unsubscribes.
          complete: () => undefined,
        }),
      );
    } else {
      const burst = Math.max(1, Math.round(sr / chunk));
      const tick = guard((action: SchedulerAction<unknown>) => {
        for (let b = 0; b < burst && !sub.closed; b++) {
          if (!emit(scheduler.now())) return whenReady(() => void action.schedule());
        }
        if (!sub.closed) action.schedule();
      });
      teardown = scheduler.schedule(function () {
        tick(this);
      });
    }
    return () => {
      feed.close();
      teardown.unsubscribe();
    };
  });
}
