import type { FastifyBaseLogger } from 'fastify';
import { requireCommonJs } from '../../src/commonjs.ts';
import { ModelRegistry } from '../../src/encoders/registry.ts';
import { OnnxPool } from '../../src/encoders/runtime/index.ts';
import { openBanks, type SceneBanks } from '../../src/scene/render.ts';
import { ClipStore } from '../clips.ts';
import { clientMessage } from '../clientMessage.ts';
import { TaskPool } from '../offThread/pool.ts';
import { EventLoopMonitor } from '../eventLoop.ts';
import { createMetrics, type ServerMetrics } from '../metrics.ts';
import type { ServerOptions, StreamFactory } from '../options.ts';
import { StreamManager } from '../streams/manager.ts';
import { SweepManager } from '../sweeps/manager.ts';

const fp = requireCommonJs<typeof import('fastify-plugin')>('fastify-plugin');

/** What every area of the server shares, decorated on the app by {@link contextPlugin}. */
export interface ServerContext {
  config: ServerOptions;
  /** ONNX worker pool shared by every stream's encoders (workers start with the first graph). */
  pool: OnnxPool;
  banks: SceneBanks;
  models: ModelRegistry;
  clips: ClipStore;
  streams: StreamManager;
  /** Sweeps started over the API (the sweep engine runs on its own threads, not the pool). */
  sweeps: SweepManager;
  metrics: ServerMetrics;
  /** Threads for heavy one-off work (decoding uploads, simulating rooms), off the event loop. */
  tasks: TaskPool;
  /** The app's logger (pino). */
  log: FastifyBaseLogger;
  /** Every message to a client goes through it: CLI flags become field names, server paths base names (server/clientMessage.ts). */
  clientMessage: (message: string) => string;
}

declare module 'fastify' {
  // The app is decorated with every field of the context (its own logger is `log` already).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges into Fastify's interface
  interface FastifyInstance extends Omit<ServerContext, 'log'> {}
}

/**
 * Open the banks, the model registry, the clips and the ONNX pool once, make
 * the stream and sweep managers and the metrics registry, and decorate the
 * app with them (fastify-plugin, so every route plugin sees them). Bad
 * folders stop startup here with the bank's or registry's own message. On
 * close, streams stop and running sweeps are cancelled first, then the pool
 * closes.
 */
export const contextPlugin = fp<{ options: ServerOptions; createStream: StreamFactory }>(
  async (app, { options, createStream }) => {
    const [banks, models, clips] = await Promise.all([
      openBanks({ rirDirs: options.rirDirs, noiseDirs: options.noiseDirs }),
      ModelRegistry.open({ userDirs: options.modelsDirs }),
      ClipStore.open({
        clipsDir: options.clipsDir,
        uploadsDir: options.uploadsDir,
        maxUploadDurationS: options.maxUploadDurationS,
        maxUploadsBytes: options.maxUploadsBytes,
        warn: (message) => app.log.warn(message),
      }),
    ]);
    const pool = new OnnxPool({ device: options.device, workers: options.workers, verbose: options.verbose });
    const tasks = new TaskPool();
    const toClient = clientMessage(options);
    const ctx = { config: options, pool, banks, models, clips, tasks, log: app.log, clientMessage: toClient } as ServerContext;
    const streams = new StreamManager({
      create: async (config) => createStream(config, ctx),
      maxStreams: options.maxStreams,
      maxStreamsPerClient: options.maxStreamsPerClient,
      maxPushSpeed: options.maxPushSpeed,
      pushBurstS: options.pushBurstS,
      statsIntervalMs: options.statsIntervalMs,
      log: app.log,
      clientMessage: toClient,
    });
    ctx.streams = streams;
    clips.isPlaying = (file) => streams.list().some((s) => s.live.config.source.kind === 'file' && s.live.config.source.path === file);
    ctx.sweeps = new SweepManager({ config: options, models, banks, log: app.log, clientMessage: toClient });
    const loop = new EventLoopMonitor();
    ctx.metrics = createMetrics(() => streams, loop, () => tasks.cpuMs);
    for (const [key, value] of Object.entries(ctx)) if (key !== 'log') app.decorate(key, value);
    app.addHook('onClose', async () => {
      await Promise.all([streams.close(), ctx.sweeps.close()]);
      await Promise.all([pool.close(), tasks.close()]);
      loop.close();
    });
  },
  { fastify: '5.x', name: 'earshot-context' },
);
