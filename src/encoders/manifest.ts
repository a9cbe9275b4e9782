import { Type, type Static } from '@sinclair/typebox';

/**
 * A model manifest (models/*.json): everything earshot needs to feed a model
 * and read its embeddings, and nothing about how it was trained.
 *
 * Input layouts name the axes of the graph's main input: B batch, C channels,
 * N samples, T frames, F mel bins. Output layouts: "B,T,D" (one vector per
 * frame) or "B,D" (one vector per window).
 */

const Waveform = Type.Object({
  kind: Type.Literal('waveform'),
  /** 'none': as decoded; 'zero-mean-unit-var': per example and channel (wav2vec 2.0's do_normalize, instance norm). */
  normalize: Type.Union([Type.Literal('none'), Type.Literal('zero-mean-unit-var')]),
});

const KaldiFbank = Type.Object({
  kind: Type.Literal('kaldi-fbank'),
  numMelBins: Type.Integer({ minimum: 1 }),
  frameLengthMs: Type.Number({ exclusiveMinimum: 0 }),
  frameShiftMs: Type.Number({ exclusiveMinimum: 0 }),
  /** Frames per model input: shorter windows are zero-padded, longer cut (AST: 1024). */
  targetFrames: Type.Integer({ minimum: 1 }),
  /** Dataset statistics: x' = (x - mean) / (2 * std), as AST does. */
  mean: Type.Number(),
  std: Type.Number({ exclusiveMinimum: 0 }),
});

const WhisperLogMel = Type.Object({
  kind: Type.Literal('whisper-logmel'),
  numMelBins: Type.Union([Type.Literal(80), Type.Literal(128)]),
  /** Whisper pads or cuts every input to 30 s (3000 frames). */
  chunkS: Type.Number({ exclusiveMinimum: 0 }),
});

const OpenWakeWord = Type.Object({ kind: Type.Literal('openwakeword') });

const NaiveLogMel = Type.Object({
  kind: Type.Literal('naive-logmel'),
  numMelBins: Type.Integer({ minimum: 1 }),
  frameLengthMs: Type.Number({ exclusiveMinimum: 0 }),
  frameShiftMs: Type.Number({ exclusiveMinimum: 0 }),
  seed: Type.Integer({ minimum: 0 }),
});

export const FrontEndSchema = Type.Union([Waveform, KaldiFbank, WhisperLogMel, OpenWakeWord, NaiveLogMel]);

export const ModelManifestSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$' }),
    description: Type.String(),
    license: Type.String(),
    /** Graph files by role ("model", or e.g. "melspectrogram", "embedding"), relative to the manifest's folder. */
    files: Type.Record(Type.String(), Type.String()),
    sampleRateHz: Type.Integer({ minimum: 1000 }),
    channels: Type.Integer({ minimum: 1, maximum: 64 }),
    /** Audio per model call, seconds (the window the model sees). */
    windowS: Type.Number({ exclusiveMinimum: 0 }),
    /** Time between timestamp embeddings, seconds. */
    hopS: Type.Number({ exclusiveMinimum: 0 }),
    frontEnd: FrontEndSchema,
    input: Type.Object({ name: Type.String(), layout: Type.String() }),
    output: Type.Object({ name: Type.String(), layout: Type.Union([Type.Literal('B,T,D'), Type.Literal('B,D')]) }),
    embeddingSize: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: true },
);

export type ModelManifest = Static<typeof ModelManifestSchema>;
export type FrontEnd = Static<typeof FrontEndSchema>;
