import { join } from 'node:path';
import { loadAudio } from '../audio/load.ts';
import { adaptChannels } from '../encoders/adaptChannels.ts';
import type { Encoder } from '../encoders/types.ts';
import type { Condition } from '../scene/condition.ts';
import { prepareScene } from '../scene/prepare.ts';
import { renderScene, type SceneBanks } from '../scene/render.ts';
import { hashSeed } from '../random.ts';
import { Errors, isEarshotError } from '../errors.ts';
import type { LabelledData } from './dataset.ts';

export interface EmbedDataOptions {
  /** Degrade every clip with this condition first (null or absent: clean audio). */
  condition?: Condition | null;
  banks?: SceneBanks;
  /** Called after each clip: (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Scene embeddings of every clip of a labelled data set, clean or rendered
 * into a condition. The room is prepared once per condition; each clip draws
 * its own noise from a seed derived from the condition's seed and its path, so
 * results do not depend on the order clips are read in. Clips that cannot be
 * decoded are collected and reported together, each with its reason, in one
 * single-line INVALID_DATA error; after the first bad clip the rest are only
 * decoded (to find every bad one), not encoded.
 */
export async function embedData(data: LabelledData, encoder: Encoder, opts: EmbedDataOptions = {}): Promise<Float32Array[]> {
  const { manifest } = encoder;
  const condition = opts.condition ?? null;
  if (condition && !opts.banks) throw new Errors.INVALID_OPTION('embedData: a condition needs the scene banks');
  const scene = condition ? await prepareScene(condition, opts.banks!, manifest.sampleRateHz) : null;
  const out: Float32Array[] = [];
  const failures: string[] = [];
  for (const [i, file] of data.files.entries()) {
    let mono: Float32Array | null = null;
    try {
      mono = (await loadAudio(join(data.root, file), { sampleRateHz: manifest.sampleRateHz, mono: true })).channels[0];
    } catch (err) {
      if (!isEarshotError(err)) throw err;
      failures.push(err.message);
    }
    // Once a clip has failed, the call will fail: keep decoding, to name every bad clip, but stop encoding.
    if (mono === null || failures.length > 0) {
      out.push(new Float32Array(0));
    } else {
      const channels = scene ? renderScene(mono, scene, { clipSeed: hashSeed(condition!.seed, file) }).channels : [mono];
      out.push(await encoder.sceneEmbedding(adaptChannels(channels, manifest.channels, manifest.id)));
    }
    opts.onProgress?.(i + 1, data.files.length);
  }
  if (failures.length > 0) {
    throw new Errors.INVALID_DATA(`${failures.length} clip(s) in ${data.root} could not be read: ${failures.join('; ')}`);
  }
  return out;
}
