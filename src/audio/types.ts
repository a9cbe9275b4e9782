/** A span of audio: one Float32Array per channel, all the same length, starting at `t0` seconds. */
export interface AudioChunk {
  /** Start time of the first sample, seconds since the start of the stream. */
  t0: number;
  sampleRateHz: number;
  channels: Float32Array[];
}

/** Decoded audio from a file: planar float32 channels in [-1, 1]. */
export interface AudioData {
  sampleRateHz: number;
  channels: Float32Array[];
}
