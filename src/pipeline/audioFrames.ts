import type { OperatorFunction } from '../rxjs.ts';
import { mixDown } from '../dsp/channels.ts';
import { clippedSamples, gainToDb, peak } from '../dsp/level.ts';
import { LEVEL_FLOOR_DBFS } from './metricsInternals.ts';
import { operate } from './operate.ts';
import type { AudioFrame, SceneChunk } from './types.ts';

/** An AudioFrame before the live stream stamps its id. */
export type SceneFrame = Omit<AudioFrame, 'streamId'>;

/**
 * Regroup scene chunks into frames of exactly `frameS` (meters, spectrogram
 * columns, playback in the dashboard): the clean signal and the degraded
 * scene mixed down to mono (mean of its channels), with the degraded scene's
 * peak and samples past full scale measured on all its channels before the
 * mix (averaging channels can hide a clipped one). The last, shorter frame
 * is sent when the stream completes.
 *
 * ```
 * frameS = 2 chunks:  -a-b-c-d-e|
 * result:             ---F---G--(H|)
 * ```
 */
export function audioFrames(opts: { frameS: number }): OperatorFunction<SceneChunk, SceneFrame> {
  return operate<SceneChunk, SceneFrame>('audioFrames', (source, { sub, observe }) => {
    let clean: Float32Array | null = null;
    let degraded: Float32Array | null = null;
    let fill = 0;
    let start = 0;
    let rate = 0;
    let framePeak = 0;
    let frameClipped = 0;
    const flush = () => {
      if (!clean || !degraded || fill === 0) return;
      const frame = {
        t0S: start / rate,
        sampleRateHz: rate,
        clean: clean.slice(0, fill),
        degraded: degraded.slice(0, fill),
        degradedPeakDbfs: Math.max(LEVEL_FLOOR_DBFS, gainToDb(framePeak)),
        degradedClippedSamples: frameClipped,
      };
      start += fill;
      fill = 0;
      framePeak = 0;
      frameClipped = 0;
      sub.next(frame);
    };
    return source.subscribe(
      observe({
        next: (chunk) => {
          const size = Math.max(1, Math.round(opts.frameS * chunk.sampleRateHz));
          if (!clean || clean.length !== size) {
            clean = new Float32Array(size);
            degraded = new Float32Array(size);
            start = chunk.startSample;
          }
          rate = chunk.sampleRateHz;
          for (let i = 0; i < chunk.clean.length;) {
            const take = Math.min(size - fill, chunk.clean.length - i);
            clean.set(chunk.clean.subarray(i, i + take), fill);
            const span = chunk.degraded.map((ch) => ch.subarray(i, i + take));
            framePeak = Math.max(framePeak, peak(span));
            frameClipped += clippedSamples(span);
            degraded!.set(mixDown(span), fill);
            fill += take;
            i += take;
            if (fill === size) flush();
          }
        },
        complete: () => {
          flush();
          sub.complete();
        },
      }),
    );
  });
}
