import { Type, type Static } from '../../src/typebox.ts';
import { ConditionSchema } from '../../src/scene/condition.ts';
import { StreamConfigWireSchema } from './streamConfig.ts';

// The REST answers of the server (server/README.md), as the routes declare them
// (they validate and shape every answer) and the dashboard reads them.

/** A model of `GET /api/models` (the registry without server paths). */
export const ModelSchema = Type.Object({
  id: Type.String(),
  family: Type.String({ description: 'front-end kind, which picks the encoder family' }),
  description: Type.String(),
  license: Type.String(),
  origin: Type.Union([Type.Literal('shipped'), Type.Literal('user')]),
  sampleRateHz: Type.Integer(),
  channels: Type.Integer(),
  windowS: Type.Number(),
  hopS: Type.Number(),
  embeddingSize: Type.Integer(),
  available: Type.Boolean({ description: 'every ONNX file is installed (streams can use it)' }),
  missing: Type.Array(Type.String(), { description: 'names of the files not installed' }),
  install: Type.String({ description: 'the command that gets the missing files' }),
});
export type ModelInfo = Static<typeof ModelSchema>;

/** A probe of `GET /api/probes`: `modelId` names the model whose embeddings it reads. */
export const ProbeSchema = Type.Object({
  id: Type.String({ description: 'what StreamConfig.probes takes' }),
  modelId: Type.String({ description: 'the model whose embeddings it reads' }),
  classes: Type.Array(Type.String()),
  embeddingSize: Type.Integer(),
  kind: Type.Optional(Type.Literal('wakeword', { description: 'absent for a linear probe; "wakeword": ready-made wake-word heads (classes are the heads), scored per 80 ms with a threshold' })),
});
export type ProbeInfo = Static<typeof ProbeSchema>;

/** What every bank entry says of where it comes from. */
const BankEntryFields = {
  origin: Type.Union([Type.Literal('shipped'), Type.Literal('user')]),
  license: Type.Optional(Type.String()),
  credit: Type.Optional(Type.String()),
  description: Type.String(),
};

/** An IR of the RIR bank (`GET /api/rirs`). */
export const RirSchema = Type.Object({
  id: Type.String({ description: 'what a condition\'s room {"bank": ID} takes' }),
  kind: Type.String({ description: 'measured, synthesized or user' }),
  layout: Type.String({ description: 'mono, stereo, binaural, foa or array' }),
  channels: Type.Optional(Type.Integer({ description: 'channels of a fixed layout (an array says how many once loaded)' })),
  ...BankEntryFields,
});
export type RirInfo = Static<typeof RirSchema>;

/** A recording of the noise bank (`GET /api/noises`). */
export const NoiseSchema = Type.Object({
  id: Type.String({ description: 'what a condition\'s noise.ids takes' }),
  kind: Type.Union([Type.Literal('recording'), Type.Literal('synthetic')]),
  ...BankEntryFields,
});
export type NoiseInfo = Static<typeof NoiseSchema>;

/** A clip a stream can play (`GET /api/clips`, the answer of `POST /api/uploads`): shipped speech or an upload; paths never leave the server. */
export const ClipSchema = Type.Object({
  id: Type.String({ description: '"digits/en/7" (shipped: its path under the clips folder without extension) or "upload/<uuid>"' }),
  path: Type.String({ description: 'what a file source takes: {"kind": "file", "path": PATH}' }),
  origin: Type.Union([Type.Literal('shipped'), Type.Literal('upload')]),
  name: Type.String({ description: 'file name as shipped or uploaded (display only)' }),
  durationS: Type.Number(),
  sampleRateHz: Type.Integer(),
  channels: Type.Integer(),
  bytes: Type.Integer({ description: 'file size' }),
});
export type ClipInfo = Static<typeof ClipSchema>;

/** `GET /api/health`. */
export const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  server: Type.Literal('earshot'),
  version: Type.String(),
  protocol: Type.Integer({ description: 'WebSocket protocol version (server/PROTOCOL.md)' }),
  uptimeS: Type.Number(),
  streams: Type.Integer({ description: 'streams running' }),
  clients: Type.Integer({ description: 'WebSocket clients connected' }),
  models: Type.Integer({ description: 'models known (GET /api/models)' }),
  device: Type.String({ description: "where ONNX sessions run: 'cpu', 'cuda', or 'not started' before the first model loads" }),
});
export type Health = Static<typeof HealthSchema>;

/** What a running stream has done so far. */
export const StatsSchema = Type.Object({
  windows: Type.Integer(),
  dropped: Type.Integer(),
  latencyMsP50: Type.Union([Type.Number(), Type.Null()], { description: 'window end -> sent, ms (null before the first window)' }),
  latencyMsP99: Type.Union([Type.Number(), Type.Null()]),
});
export type StreamStatsInfo = Static<typeof StatsSchema>;

/** A running stream (`GET /api/streams`, the `streams` WebSocket message). */
export const StreamSchema = Type.Object({
  id: Type.String(),
  owner: Type.Union([Type.Literal('rest'), Type.Literal('websocket')], { description: 'who started it: REST streams run until DELETE; WebSocket ones stop with their connection' }),
  config: StreamConfigWireSchema,
  condition: ConditionSchema,
  conditionVersion: Type.Integer(),
  createdAtMs: Type.Number(),
  subscribers: Type.Integer(),
  stats: StatsSchema,
});
export type StreamInfo = Static<typeof StreamSchema>;
