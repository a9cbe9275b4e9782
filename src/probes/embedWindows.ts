import { join } from 'node:path';
import { lastValueFrom, toArray } from '../rxjs.ts';
import { ModelRegistry } from '../encoders/registry.ts';
import { OnnxPool } from '../encoders/runtime/index.ts';
import { createLiveStream } from '../pipeline/liveStream.ts';
import { validateCondition } from '../scene/condition.ts';
import { openBanks } from '../scene/render.ts';
import type { LabelledData } from './dataset.ts';

export interface EmbedWindowsOptions {
  device?: 'auto' | 'cuda' | 'cpu';
  workers?: number;
  modelsDir?: string;
  verbose?: boolean;
  /** Called after each clip: (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The clean embeddings of every live window of every clip, as `earshot
 * stream` and the dashboard compute them: each clip streamed on its own,
 * unpaced and unlooped, through the live pipeline (running leveller, the
 * model's live windows and hop), no noise and no room. A probe trained on
 * these sees what a live stream shows it; a clip's scene embedding (the mean
 * over its frames, warm-up frames included) can differ a lot from any one
 * window. Returns one list of embeddings per clip, in the data's order; a
 * clip shorter than one window has none.
 */
export async function embedLiveWindows(data: LabelledData, modelId: string, opts: EmbedWindowsOptions = {}): Promise<Float32Array[][]> {
  const pool = new OnnxPool({ device: opts.device, workers: opts.workers, verbose: opts.verbose });
  try {
    const [banks, models] = await Promise.all([openBanks(), ModelRegistry.open({ userDirs: opts.modelsDir ? [opts.modelsDir] : [] })]);
    const out: Float32Array[][] = [];
    for (const [i, file] of data.files.entries()) {
      const stream = await createLiveStream(
        { source: { kind: 'file', path: join(data.root, file), realtime: false, loop: false }, models: [modelId], probes: [], condition: validateCondition({}), ckaWindows: 32, vad: false },
        { pool, banks, models },
      );
      try {
        out.push((await lastValueFrom(stream.results$.pipe(toArray()))).map((r) => r.clean));
      } finally {
        await stream.stop();
      }
      opts.onProgress?.(i + 1, data.files.length);
    }
    return out;
  } finally {
    await pool.close();
  }
}
