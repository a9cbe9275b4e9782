import { Errors } from '../errors.ts';
import { checkResampleRate, createConverter, RESAMPLE_QUALITIES, type Converter, type ResampleQuality } from './libsamplerate.ts';

/** libsamplerate's full API wants at least this many input frames per call; smaller pushes wait. */
const MIN_CALL_SAMPLES = 128;


/**
 * Mono resampling of an unbounded stream with libsamplerate's `full` API
 * (wasm; the converter keeps its filter state between calls). Output comes
 * with no added delay at the start, but each call returns a varying count
 * (the filter holds back a few dozen samples); {@link flush} at the end of
 * input brings the total to round(n · to / from). Live paths use 'fastest'
 * (SRC_SINC_FASTEST, ~140x real time 48 -> 16 kHz on one core here).
 *
 * @example
 * const rs = await StreamResampler.create(48000, 16000);
 * const y = rs.process(micChunk); // any length, maybe empty
 * const tail = rs.flush();
 * rs.dispose();
 */
export class StreamResampler {
  private inTotal = 0;
  private outTotal = 0;
  private held: Float32Array = new Float32Array(0);
  private disposed = false;

  private constructor(private readonly src: Converter, readonly fromRateHz: number, readonly toRateHz: number) {}

  static async create(fromRateHz: number, toRateHz: number, quality: ResampleQuality = 'fastest'): Promise<StreamResampler> {
    checkResampleRate('fromRateHz', fromRateHz);
    checkResampleRate('toRateHz', toRateHz);
    if (!RESAMPLE_QUALITIES.includes(quality)) throw new Errors.INVALID_OPTION(`quality must be best, medium or fastest, got ${String(quality)}`);
    const src = await createConverter(fromRateHz, toRateHz, quality);
    return new StreamResampler(src, fromRateHz, toRateHz);
  }

  /** Resample the next samples; returns what the converter has ready (possibly nothing). */
  process(x: Float32Array): Float32Array {
    this.check();
    this.inTotal += x.length;
    let input = x;
    if (this.held.length > 0) {
      input = new Float32Array(this.held.length + x.length);
      input.set(this.held);
      input.set(x, this.held.length);
    }
    if (input.length < MIN_CALL_SAMPLES) {
      this.held = input.slice();
      return new Float32Array(0);
    }
    this.held = new Float32Array(0);
    const y = this.src.full(input);
    this.outTotal += y.length;
    return y;
  }

  /** End of input: the samples the filter still holds, so that the total output is round(n · to / from). */
  flush(): Float32Array {
    this.check();
    const expected = Math.round((this.inTotal * this.toRateHz) / this.fromRateHz);
    const parts: Float32Array[] = [];
    let got = this.outTotal;
    const pad = new Float32Array(Math.max(MIN_CALL_SAMPLES, Math.ceil(this.fromRateHz / 50)));
    if (this.held.length > 0) pad.set(this.held.subarray(0, pad.length));
    for (let tries = 0; got < expected && tries < 100; tries++) {
      const y = this.src.full(tries === 0 ? pad : new Float32Array(pad.length));
      parts.push(y);
      got += y.length;
    }
    const out = new Float32Array(Math.max(0, expected - this.outTotal));
    let at = 0;
    for (const p of parts) {
      out.set(p.subarray(0, out.length - at), at);
      at += Math.min(p.length, out.length - at);
    }
    this.outTotal = expected;
    this.held = new Float32Array(0);
    return out;
  }

  /** Free the converter (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.src.destroy();
  }

  private check(): void {
    if (this.disposed) throw new Errors.INVALID_OPTION('StreamResampler used after dispose(); create a new one');
  }
}
