import { describe, expect, it } from 'vitest';
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
    await new Promise((resolve) => setTimeout(resolve, 50));
    await pool.close();
    const outcomes = await Promise.all(runs);
    // The running call and the waiting ones all settle with POOL_CLOSED, and this process is still here to see it.
    expect(outcomes).toEqual(['EARSHOT_POOL_CLOSED', 'EARSHOT_POOL_CLOSED', 'EARSHOT_POOL_CLOSED']);
    expect(seen).toBe(3);
  });
});
