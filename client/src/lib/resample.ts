/**
 * A streaming band-limited resampler for the browser microphone (any device
 * rate down to the 16 kHz a `push` stream declares): windowed-sinc
 * interpolation (Blackman window, `zeroCrossings` on each side) with the
 * cutoff at 46% of the lower rate, so a 48 kHz capture loses nothing below
 * 7.3 kHz and folds nothing back. Push chunks of any size; the output is the
 * same whatever the chunking. Latency is `zeroCrossings` periods of the
 * cutoff (under 1 ms at 16 kHz). Equal rates pass samples through unchanged.
 *
 * @example
 * const r = new StreamResampler(48000, 16000); socketSend(r.push(block));
 */
export class StreamResampler {
  private readonly step: number;
  private readonly cutoff: number;
  private readonly halfWidth: number;
  private buf: Float32Array;
  /** Absolute input index of buf[0]. */
  private start: number;
  private produced = 0;

  constructor(
    readonly inRateHz: number,
    readonly outRateHz: number,
    zeroCrossings = 12,
  ) {
    if (!(inRateHz > 0) || !(outRateHz > 0)) throw new RangeError(`sample rates must be positive, got ${inRateHz} -> ${outRateHz} Hz`);
    this.step = inRateHz / outRateHz;
    this.cutoff = 0.46 * Math.min(1, outRateHz / inRateHz);
    this.halfWidth = Math.ceil(zeroCrossings / (2 * this.cutoff));
    // Zeros before the first sample, so the first outputs have their left taps.
    this.buf = new Float32Array(this.halfWidth);
    this.start = -this.halfWidth;
  }

  push(input: Float32Array): Float32Array {
    if (this.inRateHz === this.outRateHz) return input.slice();
    const joined = new Float32Array(this.buf.length + input.length);
    joined.set(this.buf);
    joined.set(input, this.buf.length);
    this.buf = joined;
    const end = this.start + joined.length; // one past the last input index held
    const out: number[] = [];
    const hw = this.halfWidth;
    const fc = this.cutoff;
    for (;;) {
      const pos = this.produced * this.step;
      const centre = Math.floor(pos);
      if (centre + hw >= end) break;
      let acc = 0;
      for (let i = centre - hw + 1; i <= centre + hw; i++) {
        const t = pos - i;
        acc += joined[i - this.start] * this.kernel(t, fc, hw);
      }
      out.push(acc);
      this.produced++;
    }
    const keepFrom = Math.floor(this.produced * this.step) - hw;
    if (keepFrom > this.start) {
      this.buf = joined.slice(keepFrom - this.start);
      this.start = keepFrom;
    }
    return Float32Array.from(out);
  }

  private kernel(t: number, fc: number, hw: number): number {
    const at = Math.abs(t);
    if (at >= hw) return 0;
    const x = 2 * fc * t;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const w = 0.42 + 0.5 * Math.cos((Math.PI * t) / hw) + 0.08 * Math.cos((2 * Math.PI * t) / hw);
    return 2 * fc * sinc * w;
  }
}
