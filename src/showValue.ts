/**
 * A short JSON-like rendering of a value for an error message. Unlike
 * `JSON.stringify` it shows non-finite numbers as they are (`Infinity`,
 * `-Infinity`, `NaN`; JSON would print `null`, which is not what the client
 * sent: `1e999` parses to Infinity), and it never throws: a value nested too
 * deeply to print says so. Cut to `max` characters with "...".
 *
 * @example
 * showValue({ snrDb: 1e999 }); // '{"snrDb":Infinity}'
 */
export function showValue(value: unknown, max = 80): string {
  let text: string;
  try {
    // Non-finite numbers become marked strings, unquoted afterwards.
    const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `\u0000${String(v)}\u0000` : v));
    text = json === undefined ? String(value) : json.replace(/"\\u0000(-?Infinity|NaN)\\u0000"/g, '$1');
  } catch {
    return '(a value nested too deeply to show)';
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** "missing" for an absent field, else "= VALUE": how a request error names what a field held. */
export function describeValue(value: unknown): string {
  return value === undefined ? 'missing' : `= ${showValue(value, 78)}`;
}
