import { describe, expect, it, vi } from 'vitest';
import { OnnxPool } from '../../../src/encoders/runtime/index.ts';
import { EMBEDDING_ONNX, embeddingFeeds } from './helpers.ts';

describe('OnnxPool.close', () => {
  it('waits for a run under way instead of killing its thread mid-run (which aborts the process)', async () => {
    const pool = new OnnxPool({ workers: 1, device: 'cpu', log: () => {} });
    const graph = await pool.open(EMBEDDING_ONNX);
    await graph.run(embeddingFeeds(1, 1)); // warm
    let seen = 0;
    const runs = Array.from({ length: 3 }, (_, i) => graph.run(embeddingFeeds(400, i)).then(() => 'done', (err: { code: string }) => err.code));
    for (const r of runs) void r.then(() => seen++);
    // The first of them handed to the worker (its 400 rows keep it busy), the other two waiting.
    await vi.waitFor(() => expect(pool.stats.runs).toBe(2));
    await pool.close();
    const outcomes = await Promise.all(runs);
    // The running call and the waiting ones all settle with POOL_CLOSED, and this process is still here to see it.
    expect(outcomes).toEqual(['EARSHOT_POOL_CLOSED', 'EARSHOT_POOL_CLOSED', 'EARSHOT_POOL_CLOSED']);
    expect(seen).toBe(3);
  });
});
