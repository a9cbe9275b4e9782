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
