import type { Encoder, TimestampEmbeddings, TimestampStream } from './types.ts';

/**
 * The encoder's own {@link TimestampStream}, or, for an encoder without one, a stream
 * that holds every piece and runs `timestampEmbeddings` on the whole clip at `end()` (so
 * memory grows with the clip there; every encoder earshot ships streams).
 *
 * @example
 * const stream = openTimestampStream(encoder);
 * for (const piece of pieces) write(await stream.push([piece]));
 * write(await stream.end());
 */
export function openTimestampStream(encoder: Encoder): TimestampStream {
  if (encoder.timestampStream) return encoder.timestampStream();
  const held: Float32Array[][] = [];
  const dim = encoder.manifest.embeddingSize;
  return {
    async push(channels) {
      held.push(channels.map((c) => c.slice()));
      return noFrames(dim);
    },
    async end() {
      const channels = (held[0] ?? []).map((_, c) => concatSamples(held.map((p) => p[c])));
      held.length = 0;
      return encoder.timestampEmbeddings(channels);
    },
  };
}

/** Zero frames of `dim`. */
export function noFrames(dim: number): TimestampEmbeddings {
  return { dim, frames: 0, embeddings: new Float32Array(0), timestampsS: new Float64Array(0) };
}

/** Runs of frames one after another, as one (the run itself when there is one). */
export function concatFrames(dim: number, parts: { data: Float32Array; timestampsS: Float64Array }[]): TimestampEmbeddings {
  const frames = parts.reduce((sum, p) => sum + p.timestampsS.length, 0);
  const embeddings = new Float32Array(frames * dim);
  const timestampsS = new Float64Array(frames);
  let at = 0;
  for (const p of parts) {
    const count = p.timestampsS.length;
    embeddings.set(p.data.subarray(0, count * dim), at * dim);
    timestampsS.set(p.timestampsS, at);
    at += count;
  }
  return { dim, frames, embeddings, timestampsS };
}

function concatSamples(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
