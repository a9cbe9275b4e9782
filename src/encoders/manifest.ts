import { Type, type Static, type TSchema, Value } from '../typebox.ts';
import { Errors } from '../errors.ts';

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
  /** Kaldi window (torchaudio kaldi.fbank window_type); default 'hanning', as AST (Kaldi's own default is 'povey', as BEATs). */
  windowType: Type.Optional(
    Type.Union([Type.Literal('hanning'), Type.Literal('povey'), Type.Literal('hamming'), Type.Literal('rectangular'), Type.Literal('blackman')]),
  ),
  /** The waveform is multiplied by this first; default 1 (AST: float audio). 32768 for models fed int16-range audio (BEATs). */
  waveformScale: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
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
    /**
     * Centre of a window's first output frame, seconds from the window's start (frame t: frameOffsetS + t * hopS).
     * Default by front-end: waveform 0.0125 (wav2vec 2.0's conv stack: 400-sample receptive field at 16 kHz),
     * whisper-logmel 0, kaldi-fbank non-overlapping patches of hopS. Unused for "B,D" outputs.
     */
    frameOffsetS: Type.Optional(Type.Number({ minimum: 0 })),
    frontEnd: FrontEndSchema,
    /** `file`: the role in `files` of the graph that takes this input; default: whichever graph has an input of that name. */
    input: Type.Object({ name: Type.String(), layout: Type.String(), file: Type.Optional(Type.String()) }),
    /** `file`: the role of the graph that gives this output; default: whichever graph has an output of that name. */
    output: Type.Object({ name: Type.String(), layout: Type.Union([Type.Literal('B,T,D'), Type.Literal('B,D')]), file: Type.Optional(Type.String()) }),
    embeddingSize: Type.Integer({ minimum: 1 }),
    /** How to get the graph files when they are absent (default `npm install`, which copies the shipped ones). */
    install: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export type ModelManifest = Static<typeof ModelManifestSchema>;
export type FrontEnd = Static<typeof FrontEndSchema>;

/** Axis letters an input layout may use: B batch, C channels, N samples, T frames, F mel bins. */
export const INPUT_AXES = ['B', 'C', 'N', 'T', 'F'] as const;

/** The axes of a layout string: "B,T,D" -> ["B", "T", "D"]. */
export function layoutAxes(layout: string): string[] {
  return layout.split(',').map((a) => a.trim());
}

const FRONT_ENDS = new Map(FrontEndSchema.anyOf.map((s) => [s.properties.kind.const as string, s as TSchema]));

/**
 * Check a parsed manifest (JSON from `path`, named in every message) and
 * return it typed. Errors are INVALID_MODEL naming the file, the field and
 * its value: "models/x.json: sampleRateHz = 0.5: expected integer". Only a
 * pure-JS front-end ('naive-logmel') may list no files.
 */
export function validateManifest(path: string, value: unknown): ModelManifest {
  const fail = (what: string) => new Errors.INVALID_MODEL(`${path}: ${what}`);
  if (!isPlainObject(value)) throw fail('a model manifest is a JSON object: {"id": ..., "files": {...}, "input": {...}, ...}');
  // Check the front end against its own kind's schema first, so the message names the real field, not "union".
  const fe = value.frontEnd;
  if (isPlainObject(fe)) {
    const schema = FRONT_ENDS.get(fe.kind as string);
    if (schema === undefined) throw fail(`frontEnd.kind = ${describe(fe.kind)}: must be one of ${[...FRONT_ENDS.keys()].map((k) => `"${k}"`).join(', ')}`);
    const err = Value.Errors(schema, fe).First();
    if (err) throw fail(explain(`frontEnd${err.path}`, err.message, err.value, err.schema));
  }
  const err = Value.Errors(ModelManifestSchema, value).First();
  if (err) throw fail(explain(err.path, err.message, err.value, err.schema));
  const m = value as ModelManifest;
  if (Object.keys(m.files).length === 0 && m.frontEnd.kind !== 'naive-logmel') {
    throw fail(`files is empty; list the ONNX graph(s), e.g. {"model": "my-model.onnx"} (only the pure-JS 'naive-logmel' front-end needs none)`);
  }
  const axes = layoutAxes(m.input.layout);
  const bad = axes.find((a, i) => !(INPUT_AXES as readonly string[]).includes(a) || axes.indexOf(a) !== i);
  if (bad !== undefined || axes[0] !== 'B') {
    throw fail(`input.layout = ${describe(m.input.layout)}: axes are B (batch, first), C, N, T, F, comma-separated, each at most once (e.g. "B,N" or "B,C,N" or "B,T,F")`);
  }
  for (const side of ['input', 'output'] as const) {
    const role = m[side].file;
    if (role !== undefined && !(role in m.files)) throw fail(`${side}.file = ${describe(role)} is not a role in files (${Object.keys(m.files).join(', ') || 'none'})`);
  }
  return m;
}

// "input.name is missing", "sampleRateHz = 0.5: expected integer", 'output.layout = "B": must be "B,T,D" or "B,D"'.
function explain(pointer: string, message: string, value: unknown, schema: TSchema): string {
  const field = pointer.replace(/^\//, '').replaceAll('/', '.') || '(the manifest)';
  if (message === 'Expected required property') return `${field} is missing`;
  const literals = (schema.anyOf as TSchema[] | undefined)?.map((s) => s.const);
  if (literals?.every((c) => c !== undefined)) return `${field} = ${describe(value)}: must be ${literals.map((c) => JSON.stringify(c)).join(' or ')}`;
  return `${field} = ${describe(value)}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
}

function describe(v: unknown): string {
  return v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
