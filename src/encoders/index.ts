import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createFamilyEncoder } from './families/familyEncoder.ts';
import { createHuggingFaceEncoder } from './families/huggingFace.ts';
import { createNaiveEncoder } from './naive.ts';
import { createOpenWakeWordEncoder } from './openwakeword.ts';
import { ModelRegistry, type ModelEntry } from './registry.ts';
import { OnnxPool, type OnnxPoolOptions } from './runtime/index.ts';
import type { Encoder, GraphLoader } from './types.ts';

/** The encoder for a registry entry, chosen by its manifest's front-end alone. */
export async function createEncoder(entry: ModelEntry, loader: GraphLoader): Promise<Encoder> {
  const { manifest } = entry;
  switch (manifest.frontEnd.kind) {
    case 'openwakeword':
      return createOpenWakeWordEncoder(manifest, loader, dirname(entry.manifestPath));
    case 'naive-logmel':
      return createNaiveEncoder(manifest);
    default:
      return createFamilyEncoder({ manifest, files: entry.files, loader });
  }
}

export interface OpenEncoderOptions {
  device?: OnnxPoolOptions['device'];
  workers?: number;
  /** A folder of extra manifests. */
  modelsDir?: string;
  /** Notices in full (see OnnxPoolOptions.verbose). */
  verbose?: boolean;
}

/**
 * Open a model by id (or a Hugging Face ONNX export folder by path) on a fresh
 * worker pool. `close()` ends the pool; call it when done.
 *
 * @example
 * const { encoder, close } = await openEncoder('oww-speech-embedding', { device: 'auto' });
 * try { await encoder.sceneEmbedding([samples]); } finally { await close(); }
 */
export async function openEncoder(idOrFolder: string, opts: OpenEncoderOptions = {}): Promise<{ encoder: Encoder; pool: OnnxPool; close: () => Promise<void> }> {
  const hfFolder = (await stat(join(idOrFolder, 'config.json')).catch(() => undefined))?.isFile() ?? false;
  const entry = hfFolder ? null : (await ModelRegistry.open({ userDirs: opts.modelsDir ? [opts.modelsDir] : [] })).require(idOrFolder);
  const pool = new OnnxPool({ device: opts.device, workers: opts.workers, verbose: opts.verbose });
  try {
    const encoder = entry ? await createEncoder(entry, pool) : await createHuggingFaceEncoder(idOrFolder, pool);
    return { encoder, pool, close: () => pool.close() };
  } catch (err) {
    await pool.close();
    throw err;
  }
}
