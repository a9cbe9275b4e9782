import type { AudioReader } from '../audio/audioReader.ts';
import { adaptChannels } from './adaptChannels.ts';
import { TimestampRegrid } from './timestamps.ts';
import { openTimestampStream } from './timestampStream.ts';
import type { Encoder, TimestampEmbeddings } from './types.ts';

/** Options of {@link embedReader}. */
export interface EmbedReaderOptions {
  /** Timestamp hop in seconds: frames interpolated onto this grid (resampleTimestamps); absent: the model's own frames. */
  hopS?: number;
  /** Called with each run of frames, in order, before the next block is encoded (write them out here). */
  onFrames(ts: TimestampEmbeddings): Promise<void> | void;
}

/** What {@link embedReader} computed besides the frames it handed on. */
export interface EmbedSummary {
  dim: number;
  frames: number;
  /** The mean of the frames (HEAR's scene embedding; zeros when there are none). */
  scene: Float32Array;
}

/**
 * The timestamp and scene embeddings of a clip read block by block: each block of
 * `reader` (at the model's rate) is fitted to the model's channels (adaptChannels) and
 * pushed through the encoder's TimestampStream; the frames it completes go to `onFrames`
 * (regridded to `hopS` when asked) and into a running mean. The next block is read while
 * the encoder works. Memory holds a block, the model's windows and the mean, not the
 * clip: its frames are the caller's to keep or write. Same frames as
 * `timestampEmbeddings` on the whole clip (then resampleTimestamps and meanOverFrames).
 * The reader is not closed here.
 *
 * @example
 * const npy = await NpyWriter.create('out.npy', 'float32', [encoder.manifest.embeddingSize]);
 * const { frames, scene } = await embedReader(encoder, reader, { onFrames: (ts) => npy.append(ts.embeddings) });
 */
export async function embedReader(encoder: Encoder, reader: AudioReader, opts: EmbedReaderOptions): Promise<EmbedSummary> {
  const { manifest } = encoder;
  const dim = manifest.embeddingSize;
  const stream = openTimestampStream(encoder);
  const regrid = opts.hopS === undefined ? null : new TimestampRegrid(opts.hopS);
  const acc = new Float64Array(dim);
  let frames = 0;
  const hand = async (ts: TimestampEmbeddings) => {
    for (let t = 0; t < ts.frames; t++) for (let d = 0; d < dim; d++) acc[d] += ts.embeddings[t * dim + d];
    frames += ts.frames;
    if (ts.frames > 0) await opts.onFrames(ts);
  };
  const emit = (ts: TimestampEmbeddings) => hand(regrid ? regrid.push(ts) : ts);
  let next = reader.read();
  for (let block = await next; block !== null; block = await next) {
    const pushed = stream.push(adaptChannels(block, manifest.channels, manifest.id));
    next = reader.read();
    // Keep a failed read from going unhandled while the encoder's error is the one thrown.
    next.catch(() => undefined);
    await emit(await pushed);
  }
  await emit(await stream.end());
  if (regrid) await hand(regrid.end());
  const scene = new Float32Array(dim);
  if (frames > 0) for (let d = 0; d < dim; d++) scene[d] = acc[d] / frames;
  return { dim, frames, scene };
}
