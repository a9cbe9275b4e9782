import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ModelRegistry, type ModelEntry } from './registry.ts';
import { OnnxPool, type OnnxPoolOptions } from './runtime/index.ts';
import { cpuFallbackNotice, missingCudaProvider } from './runtime/device.ts';
import type { Encoder, GraphLoader } from './types.ts';

/**
 * The encoder for a registry entry, chosen by its manifest's front-end alone. Each kind's
 * module is imported when first asked for, so a command that runs one model does not load
 * the front-ends of the others.
 */
export async function createEncoder(entry: ModelEntry, loader: GraphLoader): Promise<Encoder> {
  const { manifest } = entry;
  switch (manifest.frontEnd.kind) {
    case 'openwakeword':
      return (await import('./openwakeword.ts')).createOpenWakeWordEncoder(manifest, loader, dirname(entry.manifestPath));
    case 'naive-logmel':
      return (await import('./naive.ts')).createNaiveEncoder(manifest);
    default:
      return (await import('./families/familyEncoder.ts')).createFamilyEncoder({ manifest, files: entry.files, loader });
  }
}

export interface OpenEncoderOptions {
  device?: OnnxPoolOptions['device'];
  workers?: number;
  /** A folder of extra manifests. */
  modelsDir?: string;
  /** Notices in full (see OnnxPoolOptions.verbose). */
  verbose?: boolean;
  /**
   * Run the graphs on the calling thread (createInProcessLoader: one session per graph,
   * ONNX Runtime's own threads) instead of a pool of worker threads, whenever they would
   * run on the CPU anyway: `device` 'cpu', or 'auto' where onnxruntime-node has no CUDA
   * provider ('auto' then says so once, as the pool does). For one stream of calls, as one
   * clip makes, this is as fast and holds one copy of each session instead of one per
   * worker. Ignored when `workers` is given. Default false.
   */
  inProcess?: boolean;
}

/**
 * Open a model by id (or a Hugging Face ONNX export folder by path) on a fresh
 * worker pool (or on this thread: `inProcess`). `close()` ends the pool; call it when done.
 *
 * @example
 * const { encoder, close } = await openEncoder('oww-speech-embedding', { device: 'auto' });
 * try { await encoder.sceneEmbedding([samples]); } finally { await close(); }
 */
export async function openEncoder(idOrFolder: string, opts: OpenEncoderOptions = {}): Promise<{ encoder: Encoder; pool: OnnxPool | null; close: () => Promise<void> }> {
  const hfFolder = (await stat(join(idOrFolder, 'config.json')).catch(() => undefined))?.isFile() ?? false;
  const entry = hfFolder ? null : (await ModelRegistry.open({ userDirs: opts.modelsDir ? [opts.modelsDir] : [] })).require(idOrFolder);
  const open = async (loader: GraphLoader) => (entry ? createEncoder(entry, loader) : (await import('./families/huggingFace.ts')).createHuggingFaceEncoder(idOrFolder, loader));
  const device = opts.device ?? 'auto';
  const noCuda = opts.inProcess && device === 'auto' ? missingCudaProvider(device) : undefined;
  if (opts.inProcess && opts.workers === undefined && (device === 'cpu' || noCuda !== undefined)) {
    if (noCuda !== undefined) process.stderr.write(`earshot: ${cpuFallbackNotice(noCuda, opts.verbose === true)}\n`);
    // Imported here: a process that runs its graphs on a worker pool (serve) never loads onnxruntime-node itself.
    const { createInProcessLoader } = await import('./runtime/inProcess.ts');
    return { encoder: await open(createInProcessLoader({ intraOpNumThreads: 0 })), pool: null, close: async () => {} };
  }
  const pool = new OnnxPool({ device: opts.device, workers: opts.workers, verbose: opts.verbose });
  try {
    return { encoder: await open(pool), pool, close: () => pool.close() };
  } catch (err) {
    await pool.close();
    throw err;
  }
}
