import { Type, type Static, type TSchema, Value } from '../../src/typebox.ts';
import { ConditionSchema, validateCondition, type Condition } from '../../src/scene/condition.ts';
import type { SceneBanks } from '../../src/scene/render.ts';
import type { ModelRegistry } from '../../src/encoders/registry.ts';
import type { StreamConfig } from '../../src/pipeline/types.ts';
import { Errors } from '../../src/errors.ts';
import { MAX_PROBE_SMOOTH } from '../../src/pipeline/smoothProbe.ts';
import { listProbeIds, readProbeAt } from '../../src/probes/resolveProbe.ts';
import type { ClipStore } from '../clips.ts';

/**
 * A StreamConfig as clients send it (REST body, WebSocket `start`): the shape
 * of `src/pipeline/types.ts`, but a file source's `path` names a clip as
 * GET /api/clips lists it (its `path` or `id`), looked up in the server's clip
 * table: never a file system path. Probes are ids from GET /api/probes.
 */
const FileSource = Type.Object(
  {
    kind: Type.Literal('file'),
    path: Type.String({ minLength: 1, maxLength: 200, description: 'a clip as GET /api/clips lists it, its path or id (shipped speech or an upload)' }),
    realtime: Type.Boolean({ default: true, description: 'pace at 1x (default), or as fast as the encoders go' }),
    loop: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
const PushSource = Type.Object(
  { kind: Type.Literal('push'), sampleRateHz: Type.Integer({ minimum: 8000, maximum: 192000, description: 'rate of the samples the client will send' }) },
  { additionalProperties: false },
);
const MicSource = Type.Object(
  { kind: Type.Literal('mic'), device: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Integer({ minimum: 0 })])) },
  { additionalProperties: false },
);
const SOURCES: Record<string, TSchema> = { file: FileSource, push: PushSource, mic: MicSource };

export const SourceWireSchema = Type.Union([FileSource, PushSource, MicSource]);

export const StreamConfigWireSchema = Type.Object(
  {
    source: SourceWireSchema,
    models: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 8, description: 'model ids (GET /api/models), each once' }),
    probes: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 8, default: [], description: 'probe ids (GET /api/probes): trained probe files in the server\'s --probes-dir folders' }),
    condition: ConditionSchema,
    hopS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 60, description: 'hop of every model, seconds (default: per model, see src/pipeline/types.ts)' })),
    ckaWindows: Type.Integer({ minimum: 3, maximum: 1024, default: 20, description: 'windows kept for the rolling CKA' }),
    vad: Type.Optional(Type.Boolean({ description: 'run Silero VAD on the clean signal (default true)' })),
    wakeThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'wake-word detection threshold on head scores (default 0.5)' })),
    probeSmooth: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PROBE_SMOOTH, description: 'average probe outputs over this many windows (default 1: none)' })),
  },
  { additionalProperties: false },
);

export type StreamConfigWire = Static<typeof StreamConfigWireSchema>;

const FIELDS = Object.keys(StreamConfigWireSchema.properties);

/**
 * Check a client's stream config and fill in defaults. Throws INVALID_REQUEST
 * naming the field and what it must be, or INVALID_CONDITION with the
 * condition validator's own message. A partial condition is merged over the
 * defaults. Ids are checked later, by {@link resolveStreamConfig}.
 */
export function parseStreamConfig(input: unknown): StreamConfigWire {
  if (!isObject(input)) throw new Errors.INVALID_REQUEST(`a stream config must be a JSON object with source and models, got ${typeof input}`);
  const unknown = Object.keys(input).find((k) => !FIELDS.includes(k));
  if (unknown !== undefined) throw new Errors.INVALID_REQUEST(`unknown stream config field "${unknown}". Known: ${FIELDS.join(', ')}`);
  const source = parseSource(input.source);
  const { condition: rawCondition, ...rest } = input;
  const condition = validateCondition(rawCondition ?? {});
  const candidate = Value.Default(StreamConfigWireSchema, { ...structuredClone(rest), source, condition }) as StreamConfigWire;
  const first = Value.Errors(StreamConfigWireSchema, candidate).First();
  if (first) throw new Errors.INVALID_REQUEST(`${first.path.slice(1).replaceAll('/', '.') || 'config'} ${describeValue(first.value)}: ${first.message.toLowerCase()}${hint(first.schema)}`);
  const twice = candidate.models.find((m, i) => candidate.models.indexOf(m) !== i);
  if (twice !== undefined) throw new Errors.INVALID_REQUEST(`models lists "${twice}" twice; list each model once`);
  return candidate;
}

function parseSource(source: unknown): unknown {
  if (!isObject(source)) throw new Errors.INVALID_REQUEST('source must be an object: {"kind": "file", "path": CLIP} (GET /api/clips), {"kind": "push", "sampleRateHz": N} or {"kind": "mic"}');
  const schema = SOURCES[String(source.kind)];
  if (schema === undefined) throw new Errors.INVALID_REQUEST(`source.kind ${describeValue(source.kind)}: must be "file", "push" or "mic"`);
  const filled = Value.Default(schema, structuredClone(source));
  const first = Value.Errors(schema, filled).First();
  if (first) throw new Errors.INVALID_REQUEST(`source${first.path.replaceAll('/', '.') || ''} ${describeValue(first.value)}: ${first.message.toLowerCase()}${hint(first.schema)}`);
  return filled;
}

/** What resolving needs: the server's banks, models, clips and probe folders (the app itself will do). */
export interface ResolveContext {
  banks: SceneBanks;
  models: ModelRegistry;
  clips: ClipStore;
  config: { probeDirs: string[] };
}

/**
 * Turn ids into what the pipeline takes: the clip's file, the probe files;
 * check that every model is known and installed and that the condition's
 * bank ids exist. Throws UNKNOWN_ID (404, listing the known ids) or
 * MODEL_FILES_MISSING.
 */
export async function resolveStreamConfig(wire: StreamConfigWire, ctx: ResolveContext): Promise<StreamConfig> {
  for (const id of wire.models) ctx.models.require(id);
  checkConditionIds(wire.condition, ctx.banks);
  const probes = await listProbeIds(ctx.config.probeDirs);
  const probePaths: string[] = [];
  for (const id of wire.probes) {
    const hit = probes.get(id);
    if (hit === undefined) throw new Errors.UNKNOWN_ID('probe', id, [...probes.keys()].join(', ') || '(none: start the server with --probes-dir DIR)');
    const probe = await readProbeAt(hit);
    if (probe.kind === 'manifest' && probe.manifest.manifest.input.kind !== 'embeddings') throw new Errors.INVALID_REQUEST(`probe "${id}" reads raw audio; streams run it as their VAD (the config's vad field), not as a probe`);
    probePaths.push(hit);
  }
  const src = wire.source;
  const source: StreamConfig['source'] = src.kind === 'file' ? { kind: 'file', path: ctx.clips.file(src.path), realtime: src.realtime, loop: src.loop } : src;
  const { hopS, vad, wakeThreshold, probeSmooth } = wire;
  const optional = { hopS, vad, wakeThreshold, probeSmooth };
  const given = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return { source, models: [...wire.models], probes: probePaths, condition: wire.condition, ckaWindows: wire.ckaWindows, ...given };
}

/** Noise and room ids of a condition must be in the banks (UNKNOWN_ID lists the known ones). */
export function checkConditionIds(condition: Condition, banks: SceneBanks): void {
  if (condition.snrDb !== 'clean') for (const id of condition.noise.ids) banks.noises.entry(id);
  if (condition.room !== null && 'bank' in condition.room) banks.rirs.entry(condition.room.bank);
}

/**
 * A condition change: the fields given replace the current ones (`source`
 * and `noise` field by field), then the whole is validated as usual.
 */
export function mergeCondition(current: Condition, patch: unknown): Condition {
  if (!isObject(patch)) return validateCondition(patch);
  const merged: Record<string, unknown> = { ...current, ...patch };
  if (isObject(patch.source)) merged.source = { ...current.source, ...patch.source };
  if (isObject(patch.noise)) merged.noise = { ...current.noise, ...patch.noise };
  return validateCondition(merged);
}

function hint(schema: TSchema): string {
  return typeof schema.description === 'string' ? ` (${schema.description})` : '';
}

function describeValue(v: unknown): string {
  const text = v === undefined ? 'missing' : `= ${JSON.stringify(v) ?? String(v)}`;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
