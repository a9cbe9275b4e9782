import { describe, expect, it } from 'vitest';
import { batchKey, rowsOf, splitFeeds, stackFeeds, takeBatch } from '../../../src/encoders/runtime/batching.ts';
import { workerExecArgv } from '../../../src/moduleStart.ts';
import type { Feeds } from '../../../src/encoders/types.ts';

const f32 = (dims: number[], from = 0): Feeds[string] => ({ type: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => from + i) });

describe('batchKey / rowsOf', () => {
  it('equal for the same graph, names, types and non-batch dims; undefined when inputs disagree on dim 0', () => {
    expect(batchKey(1, { a: f32([2, 3]) })).toBe(batchKey(1, { a: f32([5, 3]) }));
    expect(batchKey(1, { a: f32([2, 3]) })).not.toBe(batchKey(2, { a: f32([2, 3]) }));
    expect(batchKey(1, { a: f32([2, 3]) })).not.toBe(batchKey(1, { a: f32([2, 4]) }));
    expect(batchKey(1, { a: f32([2, 3]), b: f32([3]) })).toBeUndefined();
    expect(batchKey(1, { a: f32([]) })).toBeUndefined();
    expect(rowsOf({ a: f32([4, 2]), b: f32([4]) })).toBe(4);
  });
});

describe('stackFeeds / splitFeeds', () => {
  it('stacks along dim 0 and splits back to the same tensors', () => {
    const calls = [{ x: f32([1, 2], 0) }, { x: f32([3, 2], 10) }];
    const stacked = stackFeeds(calls);
    expect(stacked.x.dims).toEqual([4, 2]);
    expect([...stacked.x.data]).toEqual([0, 1, 10, 11, 12, 13, 14, 15]);
    const parts = splitFeeds(stacked, [1, 3]);
    expect(parts).toEqual(calls);
    expect(parts[0].x.data.buffer).not.toBe(parts[1].x.data.buffer);
  });

  it('keeps the element type (int64)', () => {
    const a = { t: { type: 'int64' as const, dims: [1], data: BigInt64Array.of(5n) } };
    expect(stackFeeds([a, a]).t.data).toEqual(BigInt64Array.of(5n, 5n));
  });

  it('refuses outputs whose dim 0 is not the stacked rows', () => {
    expect(() => splitFeeds({ y: f32([1, 4]) }, [2, 2])).toThrow("2 calls were stacked into 4 rows, but output 'y' has dims [1,4]");
  });
});

describe('takeBatch', () => {
  const q = (...items: [string | undefined, number][]) => items.map(([key, rows], i) => ({ key, rows, i }));

  it('takes the head and later calls with its key, in order, up to maxBatch rows', () => {
    const { batch, rest } = takeBatch(q(['a', 4], ['b', 4], ['a', 8], ['a', 4], ['a', 4]), 16, 1);
    expect(batch.map((c) => c.i)).toEqual([0, 2, 3]);
    expect(rest.map((c) => c.i)).toEqual([1, 4]);
  });

  it('a head with no key, or of maxBatch rows or more, goes alone', () => {
    expect(takeBatch(q([undefined, 1], [undefined, 1]), 16, 1).batch).toHaveLength(1);
    expect(takeBatch(q(['a', 20], ['a', 1]), 16, 1).batch).toHaveLength(1);
  });

  it('leaves a fair share for other idle workers', () => {
    expect(takeBatch(q(['a', 2], ['a', 2], ['a', 2], ['a', 2]), 16, 2).batch).toHaveLength(2);
  });
});

describe('workerExecArgv', () => {
  it('drops the eval script and --input-type, keeps loader and memory flags', () => {
    expect(workerExecArgv(['--input-type=module', '-e', 'x', '--import', 'tsx', '--max-old-space-size=4096', '-p', 'y', '--input-type', 'module'])).toEqual([
      '--import',
      'tsx',
      '--max-old-space-size=4096',
    ]);
  });
});
