import { readFile } from 'node:fs/promises';
import { writeAtomically } from '../writeAtomically.ts';
import { Type, type Static, Value } from '../typebox.ts';
import { Errors } from '../errors.ts';
import type { FittedProbe } from './linearProbe.ts';

/** The JSON a trained linear probe is saved as (`earshot probe train -o PROBE.json`). */
export const ProbeFileSchema = Type.Object({
  format: Type.Literal('earshot-linear-probe'),
  version: Type.Literal(1),
  modelId: Type.String(),
  embeddingSize: Type.Integer({ minimum: 1 }),
  classes: Type.Array(Type.String(), { minItems: 2 }),
  mean: Type.Array(Type.Number()),
  std: Type.Array(Type.Number()),
  /** classes × embeddingSize. */
  weights: Type.Array(Type.Array(Type.Number())),
  bias: Type.Array(Type.Number()),
  l2: Type.Number(),
  seed: Type.Integer(),
  validation: Type.Array(Type.Object({ l2: Type.Number(), top1: Type.Number(), logLoss: Type.Number() })),
  trainedOn: Type.Object({
    data: Type.String(),
    examples: Type.Integer(),
    /** Clips (relative to the data folder) kept out of training, for `probe eval --held-out`. */
    heldOut: Type.Array(Type.String()),
    condition: Type.Unknown(),
    /** What one example is: a clip's scene embedding (absent: "clip") or one live window of a clip (`probe train --windows`). */
    unit: Type.Optional(Type.Union([Type.Literal('clip'), Type.Literal('live-window')])),
  }),
});

export type ProbeFile = Static<typeof ProbeFileSchema>;

/** Pack a fitted probe with what it was trained for. */
export function toProbeFile(fitted: FittedProbe, meta: Omit<ProbeFile, 'format' | 'version' | 'embeddingSize' | 'mean' | 'std' | 'weights' | 'bias' | 'l2' | 'validation'>): ProbeFile {
  const { classes, dim, weights, bias } = fitted.model;
  return {
    format: 'earshot-linear-probe',
    version: 1,
    ...meta,
    embeddingSize: dim,
    mean: Array.from(fitted.mean),
    std: Array.from(fitted.std),
    weights: Array.from({ length: classes }, (_, c) => Array.from(weights.subarray(c * dim, (c + 1) * dim))),
    bias: Array.from(bias),
    l2: fitted.l2,
    validation: fitted.validation,
  };
}

/** Unpack to the form `predictProbe` takes. */
export function fromProbeFile(file: ProbeFile): Pick<FittedProbe, 'mean' | 'std' | 'model'> {
  const dim = file.embeddingSize;
  return {
    mean: Float64Array.from(file.mean),
    std: Float64Array.from(file.std),
    model: { classes: file.classes.length, dim, weights: Float64Array.from(file.weights.flat()), bias: Float64Array.from(file.bias) },
  };
}

/** Write atomically (temp file + rename): an interrupted save never leaves half a probe. */
export async function saveProbe(path: string, probe: ProbeFile): Promise<void> {
  await writeAtomically(path, `${JSON.stringify(probe)}\n`);
}

/** Read and check a probe file; errors name the file and what is wrong with it. */
export async function loadProbe(path: string): Promise<ProbeFile> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Errors.INVALID_PROBE(`${path}: cannot read the probe (${err.code ?? err.message})`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Errors.INVALID_PROBE(`${path}: not JSON (${(err as Error).message}); give a file written by \`earshot probe train\``);
  }
  const first = Value.Errors(ProbeFileSchema, json).First();
  if (first) throw new Errors.INVALID_PROBE(`${path}: not an earshot probe (${first.path || 'top level'}: ${first.message}); give a file written by \`earshot probe train\``);
  const probe = json as ProbeFile;
  const d = probe.embeddingSize;
  const shapeOk = probe.mean.length === d && probe.std.length === d && probe.bias.length === probe.classes.length && probe.weights.length === probe.classes.length && probe.weights.every((w) => w.length === d);
  if (!shapeOk) throw new Errors.INVALID_PROBE(`${path}: weights, bias, mean and std do not match ${probe.classes.length} classes × ${d} dimensions`);
  return probe;
}
