import { concat, concatMap, defer, EMPTY, filter, finalize, from, map, of, type MonoTypeOperatorFunction, type Observable } from '../rxjs.ts';
import type { ResampleQuality } from '../audio/resample.ts';
import { StreamResampler } from '../audio/streamResample.ts';
import type { SourceChunk } from './types.ts';

/**
 * Resample mono source chunks to `toRateHz` with a streaming libsamplerate
 * converter ('fastest' by default, the live setting), made at the first
 * chunk's rate and freed on teardown. Chunks already at `toRateHz` pass
 * through untouched. `t0` is recounted from the output samples; at the end
 * of input the converter is flushed, so n input samples give
 * round(n · to / from) out. Empty outputs (the filter filling up) are skipped.
 * A server's streams do the same on their scene threads, just before
 * rendering (renderSceneOffThread); this operator is the in-process path.
 *
 * ```
 * source:  -a--b--c--|        (48 kHz)
 * result:  -A--B--C--(D|)     (16 kHz; D: the flushed tail)
 * ```
 */
export function resample(opts: { toRateHz: number; quality?: ResampleQuality }): MonoTypeOperatorFunction<SourceChunk> {
  const { toRateHz, quality = 'fastest' } = opts;
  return (source: Observable<SourceChunk>) =>
    defer(() => {
      let converter: Promise<StreamResampler> | null = null;
      let ready: StreamResampler | null = null;
      let out = 0;
      let last: SourceChunk | null = null;
      const toChunk = (samples: Float32Array, capturedAtMs: number): SourceChunk => {
        const chunk = { t0: out / toRateHz, sampleRateHz: toRateHz, channels: [samples], capturedAtMs };
        out += samples.length;
        return chunk;
      };
      const converted = source.pipe(
        concatMap((chunk) => {
          if (chunk.sampleRateHz === toRateHz) return of(chunk);
          last = chunk;
          converter ??= StreamResampler.create(chunk.sampleRateHz, toRateHz, quality).then((c) => (ready = c));
          return from(converter).pipe(map((c) => toChunk(c.process(chunk.channels[0]), chunk.capturedAtMs)));
        }),
      );
      const tail = defer(() => (ready && last ? of(toChunk(ready.flush(), last.capturedAtMs)) : EMPTY));
      return concat(converted, tail).pipe(
        filter((c) => c.channels[0].length > 0),
        finalize(() => {
          ready?.dispose();
          // A converter that failed to start has already failed the stream (through from(converter)); nothing to free.
          void converter?.then((c) => c.dispose(), () => undefined);
        }),
      );
    });
}
