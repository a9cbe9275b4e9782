import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../src/sweep/queue/json.ts';

describe('the sweep queue JSON codec', () => {
  it('keeps NaN, ±Infinity and -0, and sends typed arrays as arrays', () => {
    const back = decodeJson(encodeJson({ a: NaN, b: Infinity, c: -Infinity, d: -0, e: 1.5, f: Float32Array.of(0.5, 2), g: [null, 'x'] })) as Record<string, unknown>;
    expect(back.a).toBeNaN();
    expect([back.b, back.c, back.e, back.f, back.g]).toEqual([Infinity, -Infinity, 1.5, [0.5, 2], [null, 'x']]);
    expect(Object.is(back.d, -0)).toBe(true);
  });

  it('leaves an object that only looks tagged (more keys) as it is', () => {
    expect(decodeJson('{"$earshot:number":"NaN","other":1}')).toEqual({ '$earshot:number': 'NaN', other: 1 });
  });
});
