// Run by contexts.test.ts in a fresh `node` process, compiled (dist/) as bin/earshot.js runs, and through tsx:
// opens the embedding model in a 2-worker pool, runs a stacked call, prints JSON, and does NOT close
// the pool: idle workers must not keep the process alive.
import { OnnxPool } from '../../../src/encoders/runtime/index.ts';
import { EMBEDDING_ONNX, embeddingFeeds } from './helpers.ts';

const logs: string[] = [];
const pool = new OnnxPool({ workers: 2, log: (l) => logs.push(l) });
const graph = await pool.open(EMBEDDING_ONNX);
const outs = await Promise.all([1, 2, 3].map((s) => graph.run(embeddingFeeds(2, s), { batchable: true })));
process.stdout.write(JSON.stringify({ device: pool.device, dims: outs.map((o) => o.conv2d_19.dims), stats: pool.stats, logs: logs.length }));
