import { createLiveStream } from '../../src/pipeline/liveStream.ts';
import { naiveEncoderOnTasks } from '../offThread/naiveEmbedding.ts';
import type { StreamFactory } from '../options.ts';

/**
 * The server's streams come from the live pipeline, on the app's shared ONNX
 * pool, banks and model registry; rooms are simulated on the task threads and
 * each stream's scene is rendered on a thread of its own, so that neither a
 * stream's start or condition change nor its convolutions hold the event loop;
 * the naive baseline's embeddings, pure JS, run on the task threads too.
 */
export const pipelineStream: StreamFactory = (config, ctx) =>
  createLiveStream(config, {
    pool: ctx.pool,
    banks: ctx.banks,
    models: ctx.models,
    encoders: Object.fromEntries(
      ctx.models
        .list()
        .filter((e) => e.manifest.frontEnd.kind === 'naive-logmel' && config.models.includes(e.manifest.id))
        .map((e) => [e.manifest.id, naiveEncoderOnTasks(e.manifest, ctx.tasks)]),
    ),
    log: (line) => ctx.log.warn(line),
    simulateRir: (opts) => ctx.tasks.run('simulateRir', opts),
    renderOffThread: true,
  });
