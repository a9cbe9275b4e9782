import { Type, type Static, type TSchema, Value } from '../typebox.ts';
import { Errors } from '../errors.ts';
import { MATERIALS } from './room/absorption.ts';

/**
 * A scene condition: everything that decides how clean audio is degraded.
 * Plain JSON, validated once, carrying its own seed, so the same condition
 * renders the same samples offline, in a sweep and live.
 *
 * Angles follow SOFA and ambisonics: azimuth 0° = straight ahead, positive
 * counter-clockwise (+90° = the listener's left); elevation +90° = above.
 */

export const SnrSchema = Type.Union([Type.Number({ minimum: -30, maximum: 80 }), Type.Literal('clean')], {
  description: 'a signal-to-noise ratio in dB from -30 to 80, or "clean" for no noise',
});

const RoomSide = Type.Number({ minimum: 1, maximum: 100 });
const Alpha = Type.Number({ exclusiveMinimum: 0, maximum: 1 });
const AirSchema = Type.Object(
  { temperatureC: Type.Number({ minimum: -20, maximum: 50 }), humidityPct: Type.Number({ minimum: 0, maximum: 100 }) },
  { additionalProperties: false },
);
/** A simulated shoebox room (the room simulator's options). */
export const SimulatedRoomSchema = Type.Object(
  {
    rt60S: Type.Number({ exclusiveMinimum: 0, maximum: 3 }),
    dimensionsM: Type.Optional(Type.Tuple([RoomSide, RoomSide, RoomSide])),
    walls: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Tuple([Alpha, Alpha, Alpha, Alpha, Alpha, Alpha])])),
    air: Type.Optional(Type.Union([Type.Null(), AirSchema])),
  },
  { additionalProperties: false },
);

export const RoomSchema = Type.Union(
  [
    Type.Null(),
    Type.Object({ bank: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    SimulatedRoomSchema,
  ],
  {
    description:
      'null (no reverberation), {"bank": ID} for an IR from the RIR bank, or {"rt60S": 0<S<=3 (mid-frequency RT60), "dimensionsM"?: [x, y, z] each 1..100 m, ' +
      `"walls"?: a material (${Object.keys(MATERIALS).join(', ')}) or 6 absorption coefficients in (0, 1] at 125 Hz..4 kHz, ` +
      '"air"?: {"temperatureC": -20..50, "humidityPct": 0..100} or null for no air absorption} for the room simulator',
  },
);

export const SourceSchema = Type.Object(
  {
    azimuthDeg: Type.Number({ minimum: -180, maximum: 180 }),
    elevationDeg: Type.Number({ minimum: -90, maximum: 90 }),
    distanceM: Type.Number({ minimum: 0.2, maximum: 50 }),
  },
  { additionalProperties: false, description: '{"azimuthDeg": -180..180, "elevationDeg": -90..90, "distanceM": 0.2..50} (source direction and distance from the receiver)' },
);

const MicOffset = Type.Number({ minimum: -1, maximum: 1 });
const MicSchema = Type.Tuple([MicOffset, MicOffset, MicOffset]);
export const ReceiverSchema = Type.Union(
  [
    Type.Literal('auto'),
    Type.Literal('mono'),
    Type.Literal('binaural'),
    Type.Literal('foa'),
    Type.Object({ kind: Type.Literal('array'), micsM: Type.Array(MicSchema, { minItems: 1, maxItems: 64 }) }, { additionalProperties: false }),
  ],
  {
    description:
      '"auto" (a bank IR\'s own layout, its channels as recorded; mono without a bank IR: the same as leaving receiver out), "mono", "binaural" (KEMAR HRTF, 2 ch: left, right), "foa" (first-order ambisonics, 4 ch ACN/SN3D) or {"kind": "array", "micsM": [[x, y, z], ...]} with 1..64 mics within 1 m of the centre',
  },
);

export const NoiseSchema = Type.Object(
  {
    ids: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 5 }),
    sources: Type.Integer({ minimum: 1, maximum: 5 }),
  },
  { additionalProperties: false, description: '{"ids": [1 to 5 noise bank ids], "sources": integer 1..5} (noise recordings and how many noise sources play them)' },
);

export const SnrModeSchema = Type.Union([Type.Literal('pooled'), Type.Literal('per-channel')], {
  description:
    '"pooled" (one noise gain from energies over all channels: the SNR holds over the whole scene and interaural noise cues are kept) or "per-channel" (one gain per channel, as the Nat-HEAR evaluation code does: each channel at the SNR)',
});

export const RecipeSchema = Type.Union([Type.Literal('earshot'), Type.Literal('nathear')], {
  description:
    '"earshot" (the scene recipe as documented) or "nathear" (the Nat-HEAR evaluation code step by step: the clip padded to the 4 s RIR before the SNR is measured, per-channel SNR; offline only)',
});

export const SeedSchema = Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, description: 'an integer seed in 0..4294967295' });

/** The JSON shape of a condition (also the REST body schema). */
export const ConditionSchema = Type.Object(
  {
    snrDb: SnrSchema,
    room: RoomSchema,
    source: SourceSchema,
    receiver: Type.Optional(ReceiverSchema),
    noise: NoiseSchema,
    seed: SeedSchema,
    snrMode: Type.Optional(SnrModeSchema),
    recipe: Type.Optional(RecipeSchema),
  },
  { additionalProperties: false },
);

export type Condition = Static<typeof ConditionSchema>;
export type RoomCondition = Static<typeof RoomSchema>;
export type ReceiverCondition = Static<typeof ReceiverSchema>;
/** A receiver the room simulator can build: any but "auto". */
export type FixedReceiver = Exclude<ReceiverCondition, 'auto'>;

/** The receiver a condition asks for, "auto" and absent alike read as undefined (a bank IR's own layout, else mono). */
export function fixedReceiverOf(condition: Pick<Condition, 'receiver'>): FixedReceiver | undefined {
  return condition.receiver === 'auto' ? undefined : condition.receiver;
}
export type SourceCondition = Static<typeof SourceSchema>;
export type SnrMode = Static<typeof SnrModeSchema>;
export type Recipe = Static<typeof RecipeSchema>;

/** Defaults: clean, dry, a talker 1.5 m straight ahead, the café recording as noise, seed 0. */
export const CONDITION_DEFAULTS: Readonly<Condition> = Object.freeze({
  snrDb: 'clean',
  room: null,
  source: Object.freeze({ azimuthDeg: 0, elevationDeg: 0, distanceM: 1.5 }),
  noise: Object.freeze({ ids: ['cafe'], sources: 1 }),
  seed: 0,
}) as Condition;

const FIELDS: Record<keyof Condition, TSchema> = {
  snrDb: SnrSchema,
  room: RoomSchema,
  source: SourceSchema,
  receiver: ReceiverSchema,
  noise: NoiseSchema,
  seed: SeedSchema,
  snrMode: SnrModeSchema,
  recipe: RecipeSchema,
};

/** Fields a condition may leave out: receiver (the room's own layout, else mono; "auto" says the same), snrMode and recipe (see {@link snrModeOf}, {@link recipeOf}). */
const OPTIONAL = new Set<string>(['receiver', 'snrMode', 'recipe']);

/** The scene recipe a condition renders with: "earshot" unless it says "nathear". */
export function recipeOf(condition: Pick<Condition, 'recipe'>): Recipe {
  return condition.recipe ?? 'earshot';
}

/** The SNR definition a condition mixes with: as given, else per-channel for the nathear recipe and pooled otherwise. */
export function snrModeOf(condition: Pick<Condition, 'snrMode' | 'recipe'>): SnrMode {
  return condition.snrMode ?? (recipeOf(condition) === 'nathear' ? 'per-channel' : 'pooled');
}

/**
 * Merge a partial condition over the defaults and validate it. Throws
 * EARSHOT_INVALID_CONDITION naming the field, the value given and the allowed
 * range. Ids (bank room, noise) are checked later against the banks in use.
 *
 * @example
 * validateCondition({ snrDb: 10, room: { rt60S: 0.6 }, receiver: 'binaural' })
 */
export function validateCondition(input: unknown): Condition {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Errors.INVALID_CONDITION(`expected a JSON object, got ${describe(input)}`);
  }
  const partial = input as Record<string, unknown>;
  for (const key of Object.keys(partial)) {
    if (!(key in FIELDS)) {
      throw new Errors.INVALID_CONDITION(`unknown field "${key}". Known fields: ${Object.keys(FIELDS).join(', ')}`);
    }
  }
  const merged: Record<string, unknown> = { ...CONDITION_DEFAULTS, ...partial };
  if (isPlainObject(partial.source)) merged.source = { ...CONDITION_DEFAULTS.source, ...partial.source };
  if (isPlainObject(partial.noise)) merged.noise = { ...CONDITION_DEFAULTS.noise, ...partial.noise };
  for (const [key, schema] of Object.entries(FIELDS)) {
    const value = merged[key];
    if (value === undefined && OPTIONAL.has(key)) continue;
    if (!Value.Check(schema, value)) {
      throw new Errors.INVALID_CONDITION(`${offending(key, schema, value)}: ${key} must be ${schema.description}`);
    }
  }
  const room = merged.room as Condition['room'];
  if (room && 'walls' in room && typeof room.walls === 'string' && !(room.walls in MATERIALS)) {
    throw new Errors.INVALID_CONDITION(`room.walls = ${JSON.stringify(room.walls)} is not a known material; known: ${Object.keys(MATERIALS).join(', ')} (or give 6 absorption coefficients)`);
  }
  const noise = merged.noise as Condition['noise'];
  const twice = noise.ids.find((id, i) => noise.ids.indexOf(id) !== i);
  if (twice !== undefined) throw new Errors.INVALID_CONDITION(`noise.ids lists "${twice}" twice; to play one recording from several places raise noise.sources instead`);
  if (noise.ids.length > noise.sources) {
    throw new Errors.INVALID_CONDITION(
      `noise.ids lists ${noise.ids.length} recordings but noise.sources = ${noise.sources}; each recording needs a source of its own: raise noise.sources to ${noise.ids.length} or list fewer ids`,
    );
  }
  if (merged.recipe === 'nathear' && merged.snrMode === 'pooled') {
    throw new Errors.INVALID_CONDITION('snrMode = "pooled" with recipe = "nathear": the Nat-HEAR code sets one noise gain per channel; leave snrMode out (or "per-channel"), or use recipe "earshot" for the pooled SNR');
  }
  return structuredClone(merged) as Condition;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Name the offending value, down to the sub-field for objects: "source.azimuthDeg = 400".
function offending(key: string, schema: TSchema, value: unknown): string {
  // A simulated room fails the room union as a whole: name the field inside it instead.
  const simulated = key === 'room' && isPlainObject(value) && 'rt60S' in value;
  let first = isPlainObject(value) ? Value.Errors(simulated ? SimulatedRoomSchema : schema, value).First() : undefined;
  // Likewise inside room.air (null or an object).
  const air = simulated ? (value as Record<string, unknown>).air : undefined;
  if (first?.path === '/air' && isPlainObject(air)) {
    const inner = Value.Errors(AirSchema, air).First();
    if (inner) first = { ...inner, path: `/air${inner.path}` };
  }
  if (!first || first.path === '') return `${key} = ${describe(value)}`;
  return `${key}${first.path.replaceAll('/', '.')} = ${describe(first.value)}`;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v) ?? String(v);
}
