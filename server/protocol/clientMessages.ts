import { Type, type Static, type TSchema } from '../../src/typebox.ts';
import type { Condition } from '../../src/scene/condition.ts';
import { MAX_PROBE_SMOOTH } from '../../src/pipeline/resultSchemas.ts';
import type { StreamConfigWire } from './streamConfig.ts';

const StreamId = Type.String({ minLength: 1, maxLength: 200 });

/**
 * The client -> server messages of protocol v1 (server/PROTOCOL.md), by type.
 * Only the listed fields are read; others are ignored (a newer client may add
 * optional ones). Every message may carry an `id` (string or number), echoed
 * in the `started`, `pong` or `error` it causes.
 */
export const CLIENT_MESSAGES = {
  hello: Type.Object({ client: Type.Optional(Type.String({ maxLength: 200 })) }),
  subscribe: Type.Object({ streamId: StreamId }),
  unsubscribe: Type.Object({ streamId: StreamId }),
  start: Type.Object({ config: Type.Unknown() }),
  condition: Type.Object({ streamId: StreamId, condition: Type.Unknown() }),
  probeSettings: Type.Object({ streamId: StreamId, wakeThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })), probeSmooth: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PROBE_SMOOTH })) }),
  audio: Type.Object({ streamId: StreamId }),
  stop: Type.Object({ streamId: StreamId }),
  ping: Type.Object({ t: Type.Union([Type.Number(), Type.String({ maxLength: 100 })]) }),
  streams: Type.Object({}),
} satisfies Record<string, TSchema>;

export type ClientMessageType = keyof typeof CLIENT_MESSAGES;
export type ClientMessage = { [K in ClientMessageType]: Static<(typeof CLIENT_MESSAGES)[K]> & { type: K; id?: string | number } }[ClientMessageType];

/**
 * What a client should send: the messages above, with the stream config and
 * the condition fields (which the server checks apart, with their own
 * validators and messages) typed as they are meant to be.
 */
export type ClientMessageToSend =
  | Exclude<ClientMessage, { type: 'start' | 'condition' }>
  | { type: 'start'; config: StreamConfigWire; id?: string | number }
  | { type: 'condition'; streamId: string; condition: Partial<Condition>; id?: string | number };
