import { asyncScheduler, defer, map, type Observable, type SchedulerLike } from '../rxjs.ts';
import { Errors } from '../errors.ts';
import type { SourceChunk } from './types.ts';

/**
 * Chunks pushed by the caller (the browser microphone over the WebSocket,
 * through `LiveStream.push`) as a source: mono float32 at `sampleRateHz`,
 * `t0` counting the samples pushed so far, `capturedAtMs` the time of the
 * push. Non-finite samples (NaN, ±Infinity) become 0, so a bad client cannot
 * poison the scene's running levels.
 *
 * ```
 * input$:  --a---b--c--|
 * result:  --A---B--C--|   (A = { t0: 0, channels: [a], ... })
 * ```
 */
export function pushSource(input$: Observable<Float32Array>, opts: { sampleRateHz: number; scheduler?: SchedulerLike }): Observable<SourceChunk> {
  const { sampleRateHz, scheduler = asyncScheduler } = opts;
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < 8000 || sampleRateHz > 192000) {
    throw new Errors.INVALID_OPTION(`sampleRateHz must be an integer from 8000 to 192000, got ${sampleRateHz}`);
  }
  return defer(() => {
    let at = 0;
    return input$.pipe(
      map((samples) => {
        const chunk: SourceChunk = { t0: at / sampleRateHz, sampleRateHz, channels: [finite(samples)], capturedAtMs: scheduler.now() };
        at += samples.length;
        return chunk;
      }),
    );
  });
}

function finite(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) return x.map((v) => (Number.isFinite(v) ? v : 0));
  }
  return x;
}
