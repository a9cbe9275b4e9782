import { Type, type ArrayOptions, type Static, type TSchema } from '../../src/typebox.ts';
import { RecipeSchema, SnrModeSchema } from '../../src/scene/condition.ts';

/**
 * The wire shapes of the sweeps API (REST answers and `sweep` WebSocket
 * messages). They mirror src/sweep/types.ts, minus every server path: the
 * data set is named, never located, and the results travel without their
 * spec (which holds the folders the engine read).
 */

const CleanReferenceSchema = Type.Union([Type.Literal('levelled'), Type.Literal('original')], {
  description: 'what cells are compared with: "levelled" (clean clips at -14 dBFS, as scenes level the talker; the default) or "original" (the clips as decoded)',
});

// Results written before these were recorded lack them: optional, so those still load.
const SceneSettingsFields = {
  snrMode: Type.Optional(SnrModeSchema),
  recipe: Type.Optional(RecipeSchema),
  cleanReference: Type.Optional(CleanReferenceSchema),
};

// Empty axes are refused by the request parser, with a message about the grid.
function axis<T extends TSchema>(item: T, options: ArrayOptions) {
  return Type.Array(item, { maxItems: 32, ...options });
}

/** What POST /api/sweeps takes. Axes left out get the small defaults below (the dashboard's). */
export const SweepRequestSchema = Type.Object(
  {
    models: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 8, default: ['oww-speech-embedding'], description: 'model ids (GET /api/models), each once' }),
    data: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'a data set name from GET /api/datasets (default: the first)' })),
    protocol: Type.Union([Type.Literal('clean'), Type.Literal('matched'), Type.Literal('probe')], { default: 'clean', description: 'clean: one probe per model trained on clean clips; matched: one per cell; probe: trained probes (give probes)' }),
    probes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 8, description: 'protocol probe: one probe id (GET /api/probes) per model, in the order of models' })),
    snrDb: axis(Type.Union([Type.Number({ minimum: -30, maximum: 80 }), Type.Literal('clean')], { description: 'a number of dB in -30..80, or "clean"' }), { default: [20, 10, 0], description: 'SNRs in dB, or "clean"' }),
    room: Type.Optional(
      axis(Type.Union([Type.Number({ minimum: 0, maximum: 3 }), Type.String({ pattern: '^[\\w.:-]+$', maxLength: 200 })], { description: 'an RT60 in seconds (0..3; 0 is no room) or a RIR bank id (GET /api/rirs)' }), {
        description: 'rooms: RT60s of simulated rooms and RIR bank ids (default [0, 0.6])',
      }),
    ),
    rt60S: Type.Optional(axis(Type.Number({ minimum: 0, maximum: 3 }), { description: 'room RT60s in seconds; 0 is no room (the same as numbers in room, which it cannot be combined with)' })),
    azimuthDeg: Type.Optional(axis(Type.Number({ minimum: -180, maximum: 180 }), { description: 'source azimuths in degrees' })),
    noise: Type.Optional(axis(Type.String({ minLength: 1, maxLength: 200 }), { description: 'noise ids (GET /api/noises)' })),
    noiseSources: Type.Optional(axis(Type.Integer({ minimum: 1, maximum: 5 }), { description: 'numbers of noise sources' })),
    seeds: Type.Integer({ minimum: 1, maximum: 16, default: 1, description: 'seeds per grid point' }),
    receiver: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('mono'), Type.Literal('binaural'), Type.Literal('foa')])),
    snrMode: Type.Optional(SnrModeSchema),
    recipe: Type.Optional(RecipeSchema),
    cleanReference: Type.Optional(CleanReferenceSchema),
    testFraction: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 0.9, description: 'share of each class held out for testing' })),
    splitSeed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  },
  { additionalProperties: false },
);

export type SweepRequest = Static<typeof SweepRequestSchema>;

/** A metric; null where it is undefined (relative to a clean score of 0, say). */
const Metric = Type.Union([Type.Number(), Type.Null()]);

export const GridPointSchema = Type.Object({
  model: Type.String(),
  snrDb: Type.Union([Type.Number(), Type.Literal('clean')]),
  room: Type.Union([Type.Number(), Type.String()], { description: 'an RT60 in seconds (0: dry) or a RIR bank id' }),
  azimuthDeg: Type.Number(),
  noise: Type.String(),
  noiseSources: Type.Integer(),
});

export const CellSummarySchema = Type.Object({
  key: Type.String(),
  point: GridPointSchema,
  seed: Type.Integer(),
  top1: Metric,
  macroF1: Metric,
  mAP: Metric,
  cosine: Metric,
  relativeTop1: Type.Union([Type.Number(), Type.Null()], { description: "top1 ÷ the model's clean top1 (null when that is 0)" }),
});

const EstimateSchema = Type.Object({ mean: Metric, lo: Metric, hi: Metric });
const MetricsFields = { top1: EstimateSchema, macroF1: EstimateSchema, mAP: EstimateSchema };

export const CleanScoreSchema = Type.Object({ model: Type.String(), top1: Metric, macroF1: Metric, mAP: Metric });

const Optional = Type.Union([Type.Number(), Type.Null()]);

/** A room of the grid with its acoustics (src/sweep/types.ts RoomResult). */
export const RoomSchema = Type.Object({
  room: Type.Union([Type.Number(), Type.String()]),
  kind: Type.String(),
  channels: Type.Integer(),
  layout: Type.String(),
  description: Type.String(),
  measuredOn: Type.String(),
  t20S: Optional,
  t30S: Optional,
  c50Db: Optional,
  drrDb: Optional,
  rt60S: Optional,
  rt60Method: Type.Union([Type.String(), Type.Null()]),
});

/** results.json without its spec. */
export const PublicResultsSchema = Type.Object({
  createdAt: Type.String(),
  ...SceneSettingsFields,
  classes: Type.Array(Type.String()),
  testClips: Type.Integer(),
  bootstrap: Type.Integer(),
  cellsDone: Type.Integer(),
  cellsTotal: Type.Integer(),
  clean: Type.Array(Type.Object({ model: Type.String(), clips: Type.Integer(), ...MetricsFields })),
  rooms: Type.Array(RoomSchema),
  points: Type.Array(
    Type.Object({
      ...GridPointSchema.properties,
      snrMode: SceneSettingsFields.snrMode,
      recipe: SceneSettingsFields.recipe,
      ...MetricsFields,
      seeds: Type.Integer(),
      clips: Type.Integer(),
      cosine: EstimateSchema,
      relative: Type.Object(MetricsFields),
    }),
  ),
});

export const SweepStatusSchema = Type.Union(
  [Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('interrupted')],
  { description: 'interrupted: the server stopped while it ran' },
);

const ErrorFields = Type.Object({ code: Type.String(), message: Type.String() });

/** A sweep in the list. */
export const SweepSummarySchema = Type.Object({
  id: Type.String(),
  status: SweepStatusSchema,
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  request: SweepRequestSchema,
  cellsDone: Type.Integer(),
  cellsTotal: Type.Integer(),
  error: Type.Union([ErrorFields, Type.Null()]),
  report: Type.Union([Type.String(), Type.Null()], { description: 'URL of report.html once written' }),
});

/** One sweep in full: its plan, the cells finished so far, and the results once done. */
export const SweepDetailSchema = Type.Object({
  ...SweepSummarySchema.properties,
  plan: Type.Union([Type.Object({ points: Type.Array(GridPointSchema), seeds: Type.Integer(), testClips: Type.Integer() }), Type.Null()]),
  clean: Type.Array(CleanScoreSchema),
  cells: Type.Array(CellSummarySchema),
  results: Type.Union([PublicResultsSchema, Type.Null()]),
});

export const DatasetSchema = Type.Object({
  name: Type.String({ description: 'what POST /api/sweeps takes as data' }),
  classes: Type.Array(Type.String()),
  clips: Type.Integer(),
});

export type SweepStatus = Static<typeof SweepStatusSchema>;
export type SweepSummary = Static<typeof SweepSummarySchema>;
export type SweepDetail = Static<typeof SweepDetailSchema>;
export type PublicResults = Static<typeof PublicResultsSchema>;
export type CleanScore = Static<typeof CleanScoreSchema>;
export type Dataset = Static<typeof DatasetSchema>;
