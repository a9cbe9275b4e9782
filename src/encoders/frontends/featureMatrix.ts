/** A row-major float32 matrix of features: `rows` × `cols` (e.g. frames × mel bins). */
export interface FeatureMatrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/**
 * Zero-pads or cuts a frames × bins matrix to `targetRows` frames (AST's
 * max_length): extra frames are dropped from the end, missing ones appended
 * as zeros — zeros in the log domain, before normalisation, as
 * transformers' ASTFeatureExtractor pads.
 *
 * @example padOrCutRows(fbank, 1024)
 */
export function padOrCutRows(m: FeatureMatrix, targetRows: number): FeatureMatrix {
  const data = new Float32Array(targetRows * m.cols);
  data.set(m.data.subarray(0, Math.min(m.rows, targetRows) * m.cols));
  return { rows: targetRows, cols: m.cols, data };
}
