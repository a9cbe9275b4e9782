import { Type, type Static } from '../../src/typebox.ts';
import { ConditionSchema } from '../../src/scene/condition.ts';
import { MAX_PROBE_SMOOTH } from '../../src/pipeline/resultSchemas.ts';

/**
 * A StreamConfig as clients send it (REST body, WebSocket `start`): the shape
 * of `src/pipeline/types.ts`, but a file source's `path` names a clip as
 * GET /api/clips lists it (its `path` or `id`), looked up in the server's clip
 * table: never a file system path. Probes are ids from GET /api/probes.
 */
export const FileSourceSchema = Type.Object(
  {
    kind: Type.Literal('file'),
    path: Type.String({ minLength: 1, maxLength: 200, description: 'a clip as GET /api/clips lists it, its path or id (shipped speech or an upload)' }),
    realtime: Type.Boolean({ default: true, description: 'pace at 1x (default), or as fast as the encoders go' }),
    loop: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
export const PushSourceSchema = Type.Object(
  { kind: Type.Literal('push'), sampleRateHz: Type.Integer({ minimum: 8000, maximum: 192000, description: 'rate of the samples the client will send' }) },
  { additionalProperties: false },
);
export const MicSourceSchema = Type.Object(
  { kind: Type.Literal('mic'), device: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Integer({ minimum: 0 })])) },
  { additionalProperties: false },
);

export const SourceWireSchema = Type.Union([FileSourceSchema, PushSourceSchema, MicSourceSchema]);
export type SourceWire = Static<typeof SourceWireSchema>;

export const StreamConfigWireSchema = Type.Object(
  {
    source: SourceWireSchema,
    models: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 8, description: 'model ids (GET /api/models), each once' }),
    probes: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 8, default: [], description: 'probe ids (GET /api/probes): the probes this server offers' }),
    condition: ConditionSchema,
    hopS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 60, description: 'seconds between windows, for every model (default: the model\'s own hop, GET /api/models)' })),
    ckaWindows: Type.Integer({ minimum: 3, maximum: 1024, default: 20, description: 'windows kept for the rolling CKA' }),
    vad: Type.Optional(Type.Boolean({ description: 'run Silero VAD on the clean signal (default true)' })),
    wakeThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'wake-word detection threshold on head scores (default 0.5)' })),
    probeSmooth: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PROBE_SMOOTH, description: 'average probe outputs over this many windows (default 1: none)' })),
  },
  { additionalProperties: false },
);

export type StreamConfigWire = Static<typeof StreamConfigWireSchema>;
