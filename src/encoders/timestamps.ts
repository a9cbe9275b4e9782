import type { TimestampEmbeddings } from './types.ts';

/** HEAR's default scene embedding: the mean of the timestamp embeddings (zeros when there are no frames). */
export function meanOverFrames(ts: TimestampEmbeddings): Float32Array {
  const out = new Float32Array(ts.dim);
  if (ts.frames === 0) return out;
  const acc = new Float64Array(ts.dim);
  for (let t = 0; t < ts.frames; t++) for (let d = 0; d < ts.dim; d++) acc[d] += ts.embeddings[t * ts.dim + d];
  for (let d = 0; d < ts.dim; d++) out[d] = acc[d] / ts.frames;
  return out;
}

/**
 * Timestamp embeddings on a regular grid of `hopS`, from the first frame's
 * time to the last's, by linear interpolation between the two nearest frames
 * (the model's own frames stay where they fall on the grid).
 */
export function resampleTimestamps(ts: TimestampEmbeddings, hopS: number): TimestampEmbeddings {
  if (ts.frames < 2) return ts;
  const t0 = ts.timestampsS[0];
  const t1 = ts.timestampsS[ts.frames - 1];
  const frames = Math.floor((t1 - t0) / hopS + 1e-9) + 1;
  const embeddings = new Float32Array(frames * ts.dim);
  const timestampsS = new Float64Array(frames);
  let j = 0;
  for (let k = 0; k < frames; k++) {
    const t = t0 + k * hopS;
    timestampsS[k] = t;
    while (j < ts.frames - 2 && ts.timestampsS[j + 1] <= t) j++;
    const span = ts.timestampsS[j + 1] - ts.timestampsS[j];
    const w = span > 0 ? Math.min(1, Math.max(0, (t - ts.timestampsS[j]) / span)) : 0;
    for (let d = 0; d < ts.dim; d++) {
      embeddings[k * ts.dim + d] = (1 - w) * ts.embeddings[j * ts.dim + d] + w * ts.embeddings[(j + 1) * ts.dim + d];
    }
  }
  return { dim: ts.dim, frames, embeddings, timestampsS };
}

/**
 * {@link resampleTimestamps} over frames that arrive in runs (a TimestampStream's): `push`
 * returns the grid points it can place (those before the newest frame), `end` the rest.
 * The same values as resampling the whole run at once; it holds two frames.
 *
 * @example
 * const grid = new TimestampRegrid(0.04);
 * write(grid.push(await stream.push(piece))); ... write(grid.push(await stream.end())); write(grid.end());
 */
export class TimestampRegrid {
  private prev: { t: number; row: Float32Array } | null = null;
  private last: { t: number; row: Float32Array } | null = null;
  private t0 = 0;
  private k = 0;
  private seen = 0;
  private dim = 0;

  constructor(readonly hopS: number) {}

  push(ts: TimestampEmbeddings): TimestampEmbeddings {
    this.dim = ts.dim;
    const rows: Float32Array[] = [];
    const times: number[] = [];
    for (let f = 0; f < ts.frames; f++) {
      const frame = { t: ts.timestampsS[f], row: ts.embeddings.slice(f * ts.dim, (f + 1) * ts.dim) };
      if (this.seen === 0) this.t0 = frame.t;
      this.seen++;
      [this.prev, this.last] = [this.last, frame];
      if (this.prev === null) continue;
      for (let t = this.t0 + this.k * this.hopS; t < frame.t; t = this.t0 + this.k * this.hopS) {
        times.push(t);
        rows.push(this.between(t));
        this.k++;
      }
    }
    return this.frames(rows, times);
  }

  end(): TimestampEmbeddings {
    if (this.seen === 0) return this.frames([], []);
    if (this.seen === 1) return this.frames([this.last!.row], [this.last!.t]);
    const total = Math.floor((this.last!.t - this.t0) / this.hopS + 1e-9) + 1;
    const rows: Float32Array[] = [];
    const times: number[] = [];
    for (; this.k < total; this.k++) {
      const t = this.t0 + this.k * this.hopS;
      times.push(t);
      rows.push(this.between(t));
    }
    return this.frames(rows, times);
  }

  // Linear interpolation between the two newest frames, as resampleTimestamps weighs them.
  private between(t: number): Float32Array {
    const prev = this.prev!;
    const last = this.last!;
    const span = last.t - prev.t;
    const w = span > 0 ? Math.min(1, Math.max(0, (t - prev.t) / span)) : 0;
    const out = new Float32Array(this.dim);
    for (let d = 0; d < this.dim; d++) out[d] = (1 - w) * prev.row[d] + w * last.row[d];
    return out;
  }

  private frames(rows: Float32Array[], times: number[]): TimestampEmbeddings {
    const embeddings = new Float32Array(rows.length * this.dim);
    rows.forEach((r, i) => embeddings.set(r, i * this.dim));
    return { dim: this.dim, frames: rows.length, embeddings, timestampsS: Float64Array.from(times) };
  }
}
