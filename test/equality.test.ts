import { describe, expect, it } from 'vitest';

// test/setup/equality.ts answers "equal" for typed arrays with identical bytes at once; everything else keeps the default verdict.
describe('typed-array equality in the tests', () => {
  it('identical bytes are equal, nested too (the channels of a render)', () => {
    const a = Float32Array.from({ length: 50_000 }, (_, i) => Math.sin(i));
    expect(Float32Array.from(a)).toEqual(a);
    expect([Float32Array.from(a), a.subarray(1)]).toEqual([a, Float32Array.from(a.subarray(1))]);
    expect(Buffer.from(a.buffer)).toEqual(Buffer.from(Float32Array.from(a).buffer));
  });

  it('a differing sample, length or type is still unequal', () => {
    const a = Float32Array.from({ length: 50_000 }, (_, i) => Math.sin(i));
    const b = Float32Array.from(a);
    b[49_999] += 1e-3;
    expect(b).not.toEqual(a);
    expect(a.subarray(1)).not.toEqual(a);
    expect(Float64Array.from(a)).not.toEqual(a);
    expect(() => expect(b).toEqual(a)).toThrow(/deeply equal/);
  });

  it('values the default calls equal with other bytes keep its verdict', () => {
    const nan = new Float32Array([Number.NaN]);
    const otherNan = new Float32Array(new Uint32Array([0x7fc00001]).buffer);
    expect(otherNan).toEqual(nan);
    expect(new Float32Array([-0])).not.toEqual(new Float32Array([0]));
  });
});
