import { afterEach, describe, expect, it } from 'vitest';
import { OnnxPool } from '../../../src/encoders/runtime/index.ts';
import type { Feeds } from '../../../src/encoders/types.ts';
import { bareRun, EMBEDDING_ONNX, embeddingFeeds, randomTensor, sliceRows, TINY_BATCHSUM_ONNX, TINY_GATHER_ONNX, TINY_WAVEFORM_ONNX } from './helpers.ts';

const pools: OnnxPool[] = [];
function makePool(opts: ConstructorParameters<typeof OnnxPool>[0] = {}): { pool: OnnxPool; logs: string[] } {
  const logs: string[] = [];
  const pool = new OnnxPool({ workers: 1, device: 'cpu', log: (l) => logs.push(l), ...opts });
  pools.push(pool);
  return { pool, logs };
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('OnnxPool on the openWakeWord embedding model', () => {
  it('reports the graph from ONNX Runtime and matches a bare session exactly', async () => {
    const { pool } = makePool({ workers: 2 });
    const graph = await pool.open(EMBEDDING_ONNX);
    expect(graph.info).toEqual({
      inputs: [{ name: 'input_1', type: 'float32', shape: ['unk__314', 76, 32, 1] }],
      outputs: [{ name: 'conv2d_19', type: 'float32', shape: ['unk__315', 1, 1, 96] }],
    });
    expect(graph.device).toBe('cpu');
    const feeds = embeddingFeeds(16, 1);
    const [ours, bare] = await Promise.all([graph.run(feeds), bareRun(EMBEDDING_ONNX, feeds)]);
    expect(ours.conv2d_19.dims).toEqual([16, 1, 1, 96]);
    expect(ours.conv2d_19.data).toEqual(bare.conv2d_19.data);
  });

  it('opens a path once: later opens share the sessions', async () => {
    const { pool } = makePool();
    const [a, b] = await Promise.all([pool.open(EMBEDDING_ONNX), pool.open(EMBEDDING_ONNX)]);
    expect(a).toBe(b);
  });
});

describe('batching', () => {
  it('stacks batchable calls that wait together and splits the outputs back, equal to unbatched', async () => {
    const { pool } = makePool();
    const graph = await pool.open(EMBEDDING_ONNX);
    const all = embeddingFeeds(10, 7);
    const parts = [[0, 1], [1, 4], [4, 6], [6, 10]].map(([a, b]) => sliceRows(all, a, b));
    const stacked = await Promise.all(parts.map((f) => graph.run(f, { batchable: true })));
    expect(pool.stats).toMatchObject({ runs: 1, stackedCalls: 4, largestRunRows: 10 });
    const alone = await bareRun(EMBEDDING_ONNX, all);
    const joined = new Float32Array(stacked.flatMap((o) => [...(o.conv2d_19.data as Float32Array)]));
    expect(stacked.map((o) => o.conv2d_19.dims[0])).toEqual([1, 3, 2, 4]);
    expect(joined).toEqual(alone.conv2d_19.data);
  });

  it('never stacks calls that are not batchable', async () => {
    const { pool } = makePool();
    const graph = await pool.open(EMBEDDING_ONNX);
    const outs = await Promise.all([1, 2, 3, 4].map((s) => graph.run(embeddingFeeds(2, s))));
    expect(pool.stats).toMatchObject({ calls: 4, runs: 4, stackedCalls: 0, largestRunRows: 2 });
    expect(outs.map((o) => o.conv2d_19.dims)).toEqual(Array(4).fill([2, 1, 1, 96]));
  });

  it('stacks at most maxBatch rows; a larger call runs alone and whole', async () => {
    const { pool } = makePool({ maxBatch: 8 });
    const graph = await pool.open(EMBEDDING_ONNX);
    await Promise.all([...Array(6).keys()].map((s) => graph.run(embeddingFeeds(3, s), { batchable: true })));
    expect(pool.stats.largestRunRows).toBe(6);
    expect(pool.stats.runs).toBe(3);
    const big = await graph.run(embeddingFeeds(12, 9), { batchable: true });
    expect(big.conv2d_19.dims).toEqual([12, 1, 1, 96]);
  });

  it('stacks only calls with the same graph and non-batch dims', async () => {
    const { pool } = makePool();
    const graph = await pool.open(TINY_WAVEFORM_ONNX);
    const feeds = [160, 160, 320, 160].map((n, i) => ({ waveform: randomTensor([1, n], i + 1) }));
    const outs = await Promise.all(feeds.map((f) => graph.run(f, { batchable: true })));
    expect(pool.stats).toMatchObject({ runs: 2, stackedCalls: 3 });
    for (const [i, f] of feeds.entries()) expect(outs[i].embeddings.data).toEqual((await bareRun(TINY_WAVEFORM_ONNX, f)).embeddings.data);
  });

  it('rejects a stack whose output is not per row, telling the caller to drop batchable', async () => {
    const { pool } = makePool();
    const graph = await pool.open(TINY_BATCHSUM_ONNX);
    const one = await graph.run({ x: randomTensor([3, 4], 1) }, { batchable: true });
    expect(one.y.dims).toEqual([1, 4]);
    const both = [1, 2].map((s) => graph.run({ x: randomTensor([2, 4], s) }, { batchable: true }));
    for (const p of both) await expect(p).rejects.toThrow(/tiny_batchsum\.onnx: 2 calls were stacked into 4 rows, but output 'y' has dims \[1,4\].*without \{ batchable: true \}/);
  });
});

describe('failures reach their caller only', () => {
  it('bad feeds: wrong name, rank, fixed size, type or length give a clear error, and the pool keeps serving', async () => {
    const { pool } = makePool();
    const graph = await pool.open(EMBEDDING_ONNX);
    const good = embeddingFeeds(1, 1).input_1;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ audio: good }, /embedding_model\.onnx: input 'audio' not in the graph\. Its inputs: 'input_1' float32 \[unk__314,76,32,1\]; given: 'audio' float32 \[1,76,32,1\]/],
      [{}, /input 'input_1' missing/],
      [{ input_1: { ...good, dims: [76, 32, 1] } }, /input 'input_1' has rank 4, given rank 3/],
      [{ input_1: { ...good, dims: [1, 32, 76, 1] } }, /input 'input_1' needs 76 on axis 1, given 32/],
      [{ input_1: { type: 'int32', dims: good.dims, data: new Int32Array(good.data.length) } }, /input 'input_1' is float32, given int32/],
      [{ input_1: { ...good, dims: [2, 76, 32, 1] } }, /input 'input_1': data holds 2432 values, dims \[2,76,32,1\] need 4864/],
    ];
    for (const [feeds, message] of cases) {
      const err = await graph.run(feeds as never).catch((e: Error & { code: string }) => e);
      expect(err).toMatchObject({ code: 'EARSHOT_INVALID_FEEDS' });
      expect((err as Error).message).toMatch(message);
    }
    expect((await graph.run({ input_1: good })).conv2d_19.dims).toEqual([1, 1, 1, 96]);
  });

  it("a run ONNX Runtime rejects names the file, the inputs expected and given, and ORT's message", async () => {
    const { pool } = makePool();
    const graph = await pool.open(TINY_WAVEFORM_ONNX);
    const err = await graph.run({ waveform: randomTensor([1, 8], 1) }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'EARSHOT_RUNTIME_FAILED' });
    expect((err as Error).message).toMatch(/^tiny_waveform\.onnx: ONNX Runtime could not run it \(.+\)\. Its inputs: 'waveform' float32 \[batch,samples\]; given: 'waveform' float32 \[1,8\]\.$/s);
    expect((await graph.run({ waveform: randomTensor([1, 32], 1) })).embeddings.dims).toEqual([1, 3, 8]);
  });

  it('a stacked run that fails is rerun call by call, so only the bad call gets the error', async () => {
    const { pool } = makePool();
    const graph = await pool.open(TINY_GATHER_ONNX);
    const x = { type: 'float32' as const, dims: [1, 4], data: Float32Array.of(10, 11, 12, 13) };
    const idx = (i: bigint) => ({ type: 'int64' as const, dims: [1, 1], data: BigInt64Array.of(i) });
    const calls = [2n, 9n, 3n].map((i) => graph.run({ x, idx: idx(i) }, { batchable: true }).catch((e: Error) => e));
    const [good, bad, also] = await Promise.all(calls);
    expect(pool.stats).toMatchObject({ runs: 4, stackedCalls: 3 });
    expect((good as Feeds).y.data).toEqual(Float32Array.of(12));
    expect((also as Feeds).y.data).toEqual(Float32Array.of(13));
    expect(bad).toMatchObject({ code: 'EARSHOT_RUNTIME_FAILED', message: expect.stringMatching(/^tiny_gather\.onnx: ONNX Runtime could not run it \(.+\)\. Its inputs: 'x' float32 \[batch,4\], 'idx' int64 \[batch,1\]; given: 'x' float32 \[1,4\], 'idx' int64 \[1,1\]\.$/s) });
  });

  it('a file that is not a model fails to open with the path and ONNX Runtime\'s message; a missing one says so', async () => {
    const { pool } = makePool();
    await expect(pool.open(import.meta.filename)).rejects.toMatchObject({ code: 'EARSHOT_RUNTIME_FAILED', message: expect.stringContaining(`cannot load ONNX graph ${import.meta.filename}: `) });
    await expect(pool.open('/nonexistent/x.onnx')).rejects.toMatchObject({ code: 'EARSHOT_FILE_NOT_FOUND' });
    expect((await (await pool.open(TINY_WAVEFORM_ONNX)).run({ waveform: randomTensor([2, 16], 1) })).embeddings.dims).toEqual([2, 1, 8]);
  });
});
