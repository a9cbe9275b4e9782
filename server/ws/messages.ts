import { Errors } from '../../src/errors.ts';
import { Type, type Static, type TSchema, Value } from '../../src/typebox.ts';
import { PROTOCOL_VERSION } from './frames.ts';

const StreamId = Type.String({ minLength: 1, maxLength: 200 });
const MAX_ID_LENGTH = 200;

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
  probeSettings: Type.Object({ streamId: StreamId, wakeThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })), probeSmooth: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })) }),
  audio: Type.Object({ streamId: StreamId }),
  stop: Type.Object({ streamId: StreamId }),
  ping: Type.Object({ t: Type.Union([Type.Number(), Type.String({ maxLength: 100 })]) }),
  streams: Type.Object({}),
} satisfies Record<string, TSchema>;

export type ClientMessageType = keyof typeof CLIENT_MESSAGES;
export type ClientMessage = { [K in ClientMessageType]: Static<(typeof CLIENT_MESSAGES)[K]> & { type: K; id?: string | number } }[ClientMessageType];

const TYPES = Object.keys(CLIENT_MESSAGES) as ClientMessageType[];

/**
 * Parse one text frame into a client message. Throws BAD_MESSAGE naming the
 * problem: not JSON, not an object, a `v` other than 1, an unknown `type`,
 * or a missing/ill-typed field. The thrown error carries the message's `id`
 * when it could be read.
 */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Errors.BAD_MESSAGE(`malformed JSON (${(err as Error).message}); each text frame must be one JSON object like {"v": 1, "type": "ping", "t": 0}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Errors.BAD_MESSAGE(`a message must be a JSON object with "v": 1 and a "type", got ${Array.isArray(value) ? 'an array' : preview(value)}`);
  }
  const msg = value as Record<string, unknown>;
  // Only an id that can be echoed safely is echoed: a short string or a finite number.
  const id = (typeof msg.id === 'string' && msg.id.length <= MAX_ID_LENGTH) || (typeof msg.id === 'number' && Number.isFinite(msg.id)) ? msg.id : undefined;
  const fail = (message: string) => Object.assign(new Errors.BAD_MESSAGE(message), { messageId: id });
  if (msg.id !== undefined && id === undefined) throw fail(`"id" must be a string of at most ${MAX_ID_LENGTH} characters or a finite number (it is echoed in the answer), got ${preview(msg.id)}`);
  if (msg.v !== PROTOCOL_VERSION) throw fail(`"v" is ${msg.v === undefined ? 'missing' : preview(msg.v)}; this server speaks protocol version ${PROTOCOL_VERSION} (send "v": ${PROTOCOL_VERSION})`);
  const type = msg.type;
  if (typeof type !== 'string' || !(TYPES as string[]).includes(type)) {
    throw fail(`unknown message type ${type === undefined ? '(missing)' : preview(type)}. Known: ${TYPES.join(', ')}`);
  }
  const schema: TSchema = CLIENT_MESSAGES[type as ClientMessageType];
  const first = Value.Errors(schema, msg).First();
  if (first) {
    const field = first.path.slice(1).replaceAll('/', '.');
    throw fail(`"${type}" message: ${field || 'body'} ${first.value === undefined ? 'is missing' : `= ${preview(first.value)}`}: ${first.message.toLowerCase()}`);
  }
  return msg as ClientMessage;
}

/** A short JSON preview of a value for an error message; never throws (a value nested too deep to print says so). */
function preview(value: unknown, max = 60): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, max);
  } catch {
    return '(a value nested too deeply to show)';
  }
}
