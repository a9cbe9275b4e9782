import type { OperatorFunction } from '../rxjs.ts';
import { Errors } from '../errors.ts';
import type { WindowSpec } from './streamConfig.ts';
import type { AudioWindow, SceneChunk } from './types.ts';
import { operate } from './operate.ts';
import { fitChannels } from '../dsp/channels.ts';
import { SampleQueue } from './windowInternals.ts';

/** Options of {@link slidingWindows}. */
export interface SlidingWindowsOptions {
  model: string;
  /** Channels the model takes: the scene is fitted to it per chunk (mean for mono models). */
  channels: number;
  spec: WindowSpec;
}

/**
 * Cut the scene into one model's windows: window k spans stream samples
 * [offset + k·hop, offset + k·hop + window), emitted as soon as its last sample arrives, with
 * its own copies of the clean and degraded samples (fitted to the model's
 * channels), the estimated capture time of its last sample and the condition
 * version of the chunk holding it. Only full windows: a stream shorter than
 * one window gives none, and the tail after the last full window is dropped.
 *
 * ```
 * window 3 chunks, hop 2:  -a-b-c-d-e-|
 * result:                  -----W0--W1|   (W0 = a+b+c, W1 = c+d+e)
 * ```
 */
export function slidingWindows(opts: SlidingWindowsOptions): OperatorFunction<SceneChunk, AudioWindow> {
  const { model, channels, spec } = opts;
  const { windowSamples: W, hopSamples: H, offsetSamples } = spec;
  return operate<SceneChunk, AudioWindow>('slidingWindows', (source, { sub, observe }) => {
    const clean = new SampleQueue(2 * W);
    const degraded = Array.from({ length: channels }, () => new SampleQueue(2 * W));
    /** Stream index of the first sample in the queues, and samples still to skip (hop > window). */
    let head = 0;
    let skip = offsetSamples;
    let seq = 0;
    const marks: { end: number; capturedAtMs: number; version: number }[] = [];
    return source.subscribe(
      observe({
        next: (chunk) => {
          const fitted = fitChannels(chunk.degraded, channels);
          if (!fitted) throw new Errors.INVALID_OPTION(`model "${model}" takes ${channels} channels but the scene has ${chunk.degraded.length}; use a receiver with ${channels} channels`);
          const cut = Math.min(skip, chunk.clean.length);
          skip -= cut;
          head += cut;
          clean.push(cut > 0 ? chunk.clean.subarray(cut) : chunk.clean);
          fitted.forEach((ch, c) => degraded[c].push(cut > 0 ? ch.subarray(cut) : ch));
          const end = chunk.startSample + chunk.clean.length;
          marks.push({ end, capturedAtMs: chunk.capturedAtMs, version: chunk.conditionVersion });
          while (clean.length >= W) {
            const last = head + W;
            while (marks.length > 1 && marks[0].end < last) marks.shift();
            const mark = marks[0];
            const c = clean.copy(W);
            const window: AudioWindow = {
              model,
              seq: seq++,
              startSample: head,
              t0S: head / chunk.sampleRateHz,
              t1S: last / chunk.sampleRateHz,
              capturedAtMs: mark.capturedAtMs - ((mark.end - last) / chunk.sampleRateHz) * 1000,
              conditionVersion: mark.version,
              clean: Array.from({ length: channels }, () => c),
              degraded: degraded.map((q) => q.copy(W)),
            };
            // Move on before emitting, so a subscriber that feeds more audio back in sees a consistent state.
            const drop = Math.min(H, clean.length);
            clean.drop(drop);
            for (const q of degraded) q.drop(drop);
            head += drop;
            skip = H - drop;
            sub.next(window);
          }
        },
      }),
    );
  });
}
