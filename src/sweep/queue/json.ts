/**
 * JSON for what travels through the sweep queue (contexts, cell records),
 * keeping what plain JSON loses: typed arrays (as arrays), NaN, ±Infinity and -0.
 */
const NUMBER_TAG = '$earshot:number';

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { [NUMBER_TAG]: Object.is(v, -0) ? '-0' : String(v) };
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    return v;
  });
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const tagged = (v as Record<string, unknown>)[NUMBER_TAG];
      if (typeof tagged === 'string' && Object.keys(v).length === 1) return Number(tagged);
    }
    return v;
  });
}
