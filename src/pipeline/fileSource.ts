import { asyncScheduler, interval, Observable, type SchedulerLike } from 'rxjs';
import type { AudioData } from '../audio/types.ts';
import { Errors } from '../errors.ts';
import type { SourceChunk } from './types.ts';

/** Options of {@link fileSource}. */
export interface FileSourceOptions {
  /** Decoded audio; channels are mixed down to mono (their mean). */
  audio: AudioData;
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

/**
 * A decoded file as a stream of mono chunks, `t0` counting seconds from the
 * start and `capturedAtMs` the (ideal, for a paced file) wall time of each
 * chunk's last sample.
 *
 * Real time: chunk k is due `(k + 1) · chunkS` after subscription; a timer
 * ticks every `chunkS` and sends every chunk due, so pacing does not drift
 * with timer jitter. Not real time: nothing is dropped or paced; the caller
 * sets how far ahead it may run with `until$` (its backpressure), or the whole
 * file goes out in bursts of one second.
 *
 * ```
 * realtime, chunkS 10 ms, 3.5 chunks:  ----------a---------b---------c---------(d|)
 * ```
 *
 * @example
 * fileSource({ audio, realtime: true, loop: false, chunkS: 0.02 }).subscribe((c) => scene.process(c.channels[0]));
 */
export function fileSource(opts: FileSourceOptions): Observable<SourceChunk> {
  const { audio, realtime, loop, chunkS, until$, scheduler = asyncScheduler } = opts;
  const sr = audio.sampleRateHz;
  const mono = mixDown(audio.channels);
  const chunk = Math.round(chunkS * sr);
  if (!(chunk >= 1)) throw new Errors.INVALID_OPTION(`chunkS must give at least one sample at ${sr} Hz, got ${chunkS}`);
  if (mono.length === 0) throw new Errors.INVALID_OPTION('fileSource: the audio has no samples');
  const total = loop ? Infinity : Math.ceil(mono.length / chunk);

  return new Observable<SourceChunk>((sub) => {
    let k = 0;
    const emit = (capturedAtMs: number) => {
      const start = k * chunk;
      const n = loop ? chunk : Math.min(chunk, mono.length - start);
      const samples = new Float32Array(n);
      for (let i = 0, at = start % mono.length; i < n;) {
        const take = Math.min(n - i, mono.length - at);
        samples.set(mono.subarray(at, at + take), i);
        i += take;
        at = 0;
      }
      k++;
      sub.next({ t0: start / sr, sampleRateHz: sr, channels: [samples], capturedAtMs });
      if (k >= total) sub.complete();
    };
    if (realtime) {
      const startMs = scheduler.now();
      const periodMs = (chunk / sr) * 1000;
      return interval(periodMs, scheduler).subscribe(() => {
        const due = Math.floor((scheduler.now() - startMs) / periodMs + 1e-9);
        while (k < due && k < total && !sub.closed) emit(startMs + (k + 1) * periodMs);
      });
    }
    if (until$) {
      return until$.subscribe({
        next: (untilS) => {
          while (k < total && k * chunk < untilS * sr && !sub.closed) emit(scheduler.now());
        },
        error: (err) => sub.error(err),
      });
    }
    const burst = Math.max(1, Math.round(sr / chunk));
    return scheduler.schedule(function () {
      for (let b = 0; b < burst && k < total && !sub.closed; b++) emit(scheduler.now());
      if (k < total && !sub.closed) this.schedule();
    });
  });
}

function mixDown(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] += ch[i] / channels.length;
  return out;
}
