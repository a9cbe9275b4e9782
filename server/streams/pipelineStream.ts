import { createLiveStream } from '../../src/pipeline/liveStream.ts';
import type { StreamFactory } from '../options.ts';

/**
 * The server's streams come from the live pipeline, on the app's shared ONNX
 * pool, banks and model registry; rooms are simulated on the task threads, so
 * that a stream's start or condition change never holds the event loop.
 */
export const pipelineStream: StreamFactory = (config, ctx) =>
  createLiveStream(config, {
    pool: ctx.pool,
    banks: ctx.banks,
    models: ctx.models,
    log: (line) => ctx.log.warn(line),
    simulateRir: (opts) => ctx.tasks.run('simulateRir', opts),
  });
