import { expect } from 'vitest';

/**
 * Fast equality for typed arrays and Buffers (audio, WAV bytes): identical bytes are equal at once,
 * where the default walks them element by element (about 0.5 s for a few seconds of float audio,
 * 2 s for a 0.5 MB Buffer). Bytes that differ fall through to the default, so its verdict (-0 against
 * +0, NaN payloads) and its diff are unchanged.
 */
function sameBytes(a: unknown, b: unknown): boolean | undefined {
  if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a instanceof DataView || b instanceof DataView) return undefined;
  if (a.constructor !== b.constructor || a.byteLength !== b.byteLength) return undefined;
  const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return bytes(a).equals(bytes(b)) ? true : undefined;
}

expect.addEqualityTesters([sameBytes]);
