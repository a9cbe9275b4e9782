import { Type, type Static, type TSchema } from '../../src/typebox.ts';
import { ConditionSchema } from '../../src/scene/condition.ts';
import { ProbeOutputSchema, WakeWordOutputSchema, WindowMetricsSchema } from '../../src/pipeline/resultSchemas.ts';
import type { SweepMessageEvent } from '../sweeps/events.ts';
import { StreamSchema } from './rest.ts';
import { StreamConfigWireSchema } from './streamConfig.ts';

/**
 * The server -> client messages of protocol v1 (server/PROTOCOL.md), by
 * type, without the `v` every frame carries. The server builds each message
 * against its static type (`ServerMessage`), and the dashboard reads the
 * same types, so neither side can drift from this file.
 */

const StreamId = Type.String();
/** The `id` of the client message that caused this one, echoed when it had one. */
const EchoedId = Type.Optional(Type.Union([Type.String(), Type.Number()]));
const LatencyMs = Type.Union([Type.Number(), Type.Null()], { description: 'window end -> sent, ms (null before the first window)' });

export const SERVER_MESSAGES = {
  welcome: Type.Object({ server: Type.Literal('earshot'), version: Type.String(), protocol: Type.Integer(), models: Type.Array(Type.String()), streams: Type.Array(Type.String()) }),
  streams: Type.Object({ streams: Type.Array(Type.Composite([StreamSchema, Type.Object({ mine: Type.Boolean({ description: 'this connection started it' }) })])), id: EchoedId }),
  started: Type.Object({ streamId: StreamId, config: StreamConfigWireSchema, id: EchoedId }),
  /** Followed by ONE binary frame: `embeddingDim` clean then `embeddingDim` degraded float32 values. */
  result: Type.Object({
    streamId: StreamId,
    model: Type.String(),
    seq: Type.Integer(),
    t0S: Type.Number(),
    t1S: Type.Number(),
    capturedAtMs: Type.Number(),
    encodedAtMs: Type.Number(),
    sentAtMs: Type.Number(),
    conditionVersion: Type.Integer(),
    probe: Type.Union([ProbeOutputSchema, Type.Null()]),
    wakeword: Type.Union([WakeWordOutputSchema, Type.Null()]),
    metrics: WindowMetricsSchema,
    droppedTotal: Type.Integer(),
    embeddingDim: Type.Integer(),
  }),
  /** Followed by ONE binary frame: `samples` clean then `samples` degraded (mono mix) float32 values. */
  audio: Type.Object({
    streamId: StreamId,
    t0S: Type.Number(),
    sampleRateHz: Type.Number(),
    samples: Type.Integer(),
    degradedPeakDbfs: Type.Number({ description: 'peak of the degraded scene over all its channels before the mono mix, dBFS (-120 for silence)' }),
    degradedClippedSamples: Type.Integer({ description: 'samples of the degraded scene, all channels, beyond full scale (|x| > 1)' }),
  }),
  condition: Type.Object({ streamId: StreamId, condition: ConditionSchema, conditionVersion: Type.Integer(), warnings: Type.Array(Type.String()) }),
  probeSettings: Type.Object({ streamId: StreamId, wakeThreshold: Type.Number(), probeSmooth: Type.Integer() }),
  stats: Type.Object({
    streamId: StreamId,
    windows: Type.Integer(),
    dropped: Type.Integer(),
    latencyMsP50: LatencyMs,
    latencyMsP99: LatencyMs,
    models: Type.Optional(Type.Record(Type.String(), Type.Object({ windows: Type.Integer(), dropped: Type.Integer() }))),
    skipped: Type.Integer({ description: 'messages skipped for this client (it fell behind)' }),
    mainThreadMs: Type.Optional(Type.Number({ description: "main-thread time the stream's pipeline has taken, ms" })),
    sceneThreadMs: Type.Optional(Type.Number({ description: "time the stream's own scene thread (resampling its source, rendering its scene) has worked, ms" })),
    pushDroppedS: Type.Optional(Type.Number({ description: 'push streams: seconds of audio dropped for arriving faster than the server allows (maxPushSpeed)' })),
  }),
  stopped: Type.Object({ streamId: StreamId, reason: Type.String() }),
  error: Type.Object({ code: Type.String({ description: 'an EARSHOT_* code' }), message: Type.String(), streamId: Type.Optional(StreamId), id: EchoedId }),
  pong: Type.Object({ t: Type.Union([Type.Number(), Type.String()]), id: EchoedId }),
  // The sweep events mirror the engine's own types (src/sweep/types.ts), which are plain TypeScript.
  sweep: Type.Object({ sweepId: Type.String(), event: Type.Unsafe<SweepMessageEvent>(Type.Object({ type: Type.String() })) }),
} satisfies Record<string, TSchema>;

export type ServerMessageType = keyof typeof SERVER_MESSAGES;
/** A server message of one type (without `v`). */
export type ServerMessageOf<K extends ServerMessageType> = Static<(typeof SERVER_MESSAGES)[K]> & { type: K };
export type ServerMessage = { [K in ServerMessageType]: ServerMessageOf<K> }[ServerMessageType];
