import { type TSchema, Value } from '../../src/typebox.ts';
import { validateCondition, type Condition } from '../../src/scene/condition.ts';
import type { SceneBanks } from '../../src/scene/render.ts';
import type { ModelRegistry } from '../../src/encoders/registry.ts';
import type { StreamConfig } from '../../src/pipeline/types.ts';
import { Errors } from '../../src/errors.ts';
import { listProbeIds, readProbeAt } from '../../src/probes/resolveProbe.ts';
import type { ClipStore } from '../clips.ts';
import { describeValue } from '../../src/showValue.ts';
import { FileSourceSchema, MicSourceSchema, PushSourceSchema, StreamConfigWireSchema, type StreamConfigWire } from '../protocol/streamConfig.ts';
import { checkAdmission, type AdmissionLimits } from './admission.ts';

const SOURCES: Record<string, TSchema> = { file: FileSourceSchema, push: PushSourceSchema, mic: MicSourceSchema };

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
  config: { probeDirs: string[] } & AdmissionLimits;
}

/**
 * Turn ids into what the pipeline takes: the clip's file, the probe files;
 * check that every model is known and installed and that the condition's
 * bank ids exist, and that the stream asks no more than the server's limits
 * allow (admission.ts). Throws UNKNOWN_ID (404, listing the known ids),
 * MODEL_FILES_MISSING or OVER_LIMIT (400).
 */
export async function resolveStreamConfig(wire: StreamConfigWire, ctx: ResolveContext): Promise<StreamConfig> {
  for (const id of wire.models) ctx.models.require(id, 'id');
  checkAdmission(wire, ctx.models, ctx.config);
  checkConditionIds(wire.condition, ctx.banks);
  const probes = await listProbeIds(ctx.config.probeDirs);
  const probePaths: string[] = [];
  for (const id of wire.probes) {
    const hit = probes.get(id);
    if (hit === undefined) throw new Errors.UNKNOWN_ID('probe', id, [...probes.keys()].join(', ') || '(none: this server offers no probes)');
    const probe = await readProbeAt(hit).catch((err: unknown) => {
      // The probe's own message names its file; the client knows the id.
      if (err instanceof Error) err.message = err.message.replaceAll(hit, `probe "${id}"`);
      throw err;
    });
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

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
