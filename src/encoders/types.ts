/**
 * The contracts between model manifests, the ONNX runtime and encoders.
 * HEAR is the reference: an encoder offers timestamp embeddings (one vector
 * per frame, with its time) and a scene embedding (one vector per clip).
 */

/** A tensor as it crosses threads: plain typed array + dims (no onnxruntime objects). */
export interface TensorData {
  type: 'float32' | 'int64' | 'int32' | 'bool';
  dims: number[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

export type Feeds = Record<string, TensorData>;

/** Input/output names and shapes of an ONNX graph as the runtime reports them (-1 or a name for a free dimension). */
export interface GraphInfo {
  inputs: { name: string; type: string; shape: (number | string)[] }[];
  outputs: { name: string; type: string; shape: (number | string)[] }[];
}

/**
 * Runs one ONNX graph. The worker pool implements it (src/encoders/runtime);
 * encoders depend only on this. `batchable: true` lets the runner stack this
 * call with others along dim 0 of every input (only for graphs whose batch
 * items do not influence each other).
 */
export interface GraphRunner {
  readonly info: GraphInfo;
  run(feeds: Feeds, opts?: { batchable?: boolean }): Promise<Feeds>;
}

/** Opens graphs by absolute file path (one session per worker, shared by every encoder that uses the file). */
export interface GraphLoader {
  open(path: string): Promise<GraphRunner>;
}

/** Timestamp embeddings of one clip: `frames` × `dim`, row-major, with the centre time of each frame. */
export interface TimestampEmbeddings {
  dim: number;
  frames: number;
  embeddings: Float32Array;
  timestampsS: Float64Array;
}

/** An audio encoder with the HEAR contract. Input: channels at `manifest.sampleRateHz` (mono models take channel 0 of a mix-down). */
export interface Encoder {
  readonly manifest: import('./manifest.ts').ModelManifest;
  timestampEmbeddings(channels: Float32Array[]): Promise<TimestampEmbeddings>;
  /** Mean of the timestamp embeddings (HEAR's default scene embedding). */
  sceneEmbedding(channels: Float32Array[]): Promise<Float32Array>;
  /**
   * The timestamp embeddings of one clip fed in consecutive pieces, for clips too long to
   * hold: the same frames and timestamps as {@link timestampEmbeddings} of the whole clip
   * (up to the float rounding of other batch sizes). Absent: see openTimestampStream in
   * timestampStream.ts, which then buffers the clip.
   */
  timestampStream?(): TimestampStream;
}

/**
 * Timestamp embeddings of a clip that arrives in pieces (see {@link Encoder.timestampStream}).
 * Calls run in order; each resolves with the frames its samples completed, timestamps in
 * seconds from the clip's start. Memory holds what the model's windows need, not the clip.
 */
export interface TimestampStream {
  /** The next samples: channels as for timestampEmbeddings, equal lengths, any length (0 too). */
  push(channels: Float32Array[]): Promise<TimestampEmbeddings>;
  /** End of the clip: the frames still waiting for audio (the last windows, padded as the whole-clip call pads them). */
  end(): Promise<TimestampEmbeddings>;
}
