/** The deepest nesting of objects and arrays a JSON body or WebSocket message may have; earshot's own messages need under 8. */
export const MAX_JSON_DEPTH = 32;

/** Why a JSON text was refused: `depth` and `prototype` have their own error codes over REST. */
export type JsonProblem = { kind: 'syntax' | 'depth' | 'prototype'; message: string };

/**
 * Parse JSON text from a client, refusing, before anything walks the value,
 * nesting deeper than {@link MAX_JSON_DEPTH} (a deep value overflows the
 * stack of every recursive validator and printer after the parser) and keys
 * that could reach an object's prototype (`__proto__`, `constructor.prototype`)
 * once the value is merged into others.
 *
 * @example
 * parseClientJson('[[[1]]]'); // { value: [[[1]]] }
 */
export function parseClientJson(text: string): { value: unknown } | { problem: JsonProblem } {
  const depth = nestingBeyond(text, MAX_JSON_DEPTH);
  if (depth) return { problem: { kind: 'depth', message: `JSON nesting deeper than ${MAX_JSON_DEPTH} levels (objects and arrays inside one another); send a flatter value` } };
  let forbidden: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__' || (key === 'constructor' && v !== null && typeof v === 'object' && 'prototype' in v)) forbidden ??= key === '__proto__' ? '__proto__' : 'constructor.prototype';
      return v;
    });
  } catch (err) {
    return { problem: { kind: 'syntax', message: `malformed JSON (${(err as Error).message})` } };
  }
  if (forbidden !== undefined) return { problem: { kind: 'prototype', message: `a key named "${forbidden}" is not accepted (it names an object's prototype); remove or rename it` } };
  return { value };
}

// True when objects/arrays nest deeper than `max`, found by scanning the text (strings skipped), without recursion.
function nestingBeyond(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
