import { Errors } from '../../src/errors.ts';
import { type TSchema, Value } from '../../src/typebox.ts';
import { CLIENT_MESSAGES, type ClientMessage, type ClientMessageType } from '../protocol/clientMessages.ts';
import { PROTOCOL_VERSION } from '../protocol/constants.ts';
import { showValue } from '../../src/showValue.ts';
import { parseClientJson } from '../jsonLimits.ts';

const MAX_ID_LENGTH = 200;

const TYPES = Object.keys(CLIENT_MESSAGES) as ClientMessageType[];

/**
 * Parse one text frame into a client message. Throws BAD_MESSAGE naming the
 * problem: not JSON, not an object, a `v` other than 1, an unknown `type`,
 * or a missing/ill-typed field. The thrown error carries the message's `id`
 * when it could be read.
 */
export function parseClientMessage(text: string): ClientMessage {
  const parsed = parseClientJson(text);
  if ('problem' in parsed) {
    const example = parsed.problem.kind === 'syntax' ? '; each text frame must be one JSON object like {"v": 1, "type": "ping", "t": 0}' : '';
    throw new Errors.BAD_MESSAGE(`${parsed.problem.message}${example}`);
  }
  const value = parsed.value;
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

function preview(value: unknown): string {
  return showValue(value, 60);
}
