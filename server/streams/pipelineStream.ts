import { createLiveStream } from '../../src/pipeline/liveStream.ts';
import type { StreamFactory } from '../options.ts';

/** The server's streams come from the live pipeline, on the app's shared ONNX pool, banks and model registry. */
export const pipelineStream: StreamFactory = (config, ctx) =>
  createLiveStream(config, { pool: ctx.pool, banks: ctx.banks, models: ctx.models, log: (line) => ctx.log.warn(line) });
