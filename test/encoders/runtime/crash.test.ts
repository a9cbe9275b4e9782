import { afterEach, describe, expect, it } from 'vitest';
import { OnnxPool } from '../../../src/encoders/runtime/index.ts';
import { bareRun, EMBEDDING_ONNX, embeddingFeeds } from './helpers.ts';

let pool: OnnxPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

function makePool(workers: number): { pool: OnnxPool; logs: string[] } {
  const logs: string[] = [];
  pool = new OnnxPool({ workers, device: 'cpu', log: (l) => logs.push(l) });
  return { pool, logs };
}

describe('worker crashes', () => {
  for (const mode of ['exit', 'throw'] as const) {
    it(`a worker that dies (${mode}) is restarted, with its sessions, and its call retried once`, async () => {
      const { pool, logs } = makePool(1);
      const graph = await pool.open(EMBEDDING_ONNX);
      const feeds = embeddingFeeds(2, 3);
      pool.simulateCrashes(1, mode);
      const out = await graph.run(feeds);
      expect(out.conv2d_19.data).toEqual((await bareRun(EMBEDDING_ONNX, feeds)).conv2d_19.data);
      const reason = mode === 'exit' ? 'exit code 3' : 'uncaught error: simulated worker crash (test hook)';
      expect(logs).toEqual([`an ONNX worker thread crashed while running embedding_model.onnx (${reason}); restarted it; retrying its call once`]);
      expect((await graph.run(feeds)).conv2d_19.dims).toEqual([2, 1, 1, 96]);
    });
  }

  it('a second crash on the same call fails that call with a clear error; the pool goes on', async () => {
    const { pool, logs } = makePool(1);
    const graph = await pool.open(EMBEDDING_ONNX);
    pool.simulateCrashes(2);
    await expect(graph.run(embeddingFeeds(1, 1))).rejects.toMatchObject({
      code: 'EARSHOT_WORKER_CRASHED',
      message: 'the ONNX worker thread running embedding_model.onnx crashed twice on this call (exit code 3); the call fails, the pool goes on serving others.',
    });
    expect(logs).toHaveLength(2);
    expect(logs[1]).toMatch(/; restarted it$/);
    expect((await graph.run(embeddingFeeds(1, 1))).conv2d_19.dims).toEqual([1, 1, 1, 96]);
  });

  it('other calls, on other workers and queued, are served while one crashes', async () => {
    const { pool } = makePool(2);
    const graph = await pool.open(EMBEDDING_ONNX);
    pool.simulateCrashes(2);
    // The first two calls each crash once (one per worker), are retried, and succeed; the rest never crash.
    const outs = await Promise.all([1, 2, 3, 4, 5].map((s) => graph.run(embeddingFeeds(1, s))));
    expect(outs.map((o) => o.conv2d_19.dims[0])).toEqual([1, 1, 1, 1, 1]);
  });

  it('close() rejects waiting calls, stops the workers, and refuses new work', async () => {
    const { pool } = makePool(1);
    const graph = await pool.open(EMBEDDING_ONNX);
    const pending = [1, 2, 3].map((s) => graph.run(embeddingFeeds(16, s)).catch((e: unknown) => e));
    await new Promise((r) => setImmediate(r)); // the first call is now running in the worker, the others wait
    await pool.close();
    for (const err of await Promise.all(pending)) expect(err).toMatchObject({ code: 'EARSHOT_POOL_CLOSED' });
    await expect(graph.run(embeddingFeeds(1, 1))).rejects.toMatchObject({ code: 'EARSHOT_POOL_CLOSED' });
    await expect(pool.open(EMBEDDING_ONNX)).rejects.toMatchObject({ code: 'EARSHOT_POOL_CLOSED' });
  });
});
