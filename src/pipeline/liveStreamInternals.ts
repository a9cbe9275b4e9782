import { Errors } from '../errors.ts';
import { loadProbe } from '../probes/probeFile.ts';
import type { PreparedScene } from '../scene/prepare.ts';
import { loadedProbe, type LoadedProbe } from './probeWindows.ts';
import type { WindowEmbedder } from './windowEmbedder.ts';

/**
 * Load probe files and match each to the stream's model of its `modelId`
 * (one probe per model at most). Returns one entry per embedder, null where
 * a model has no probe.
 */
export async function loadProbes(paths: string[], embedders: WindowEmbedder[]): Promise<(LoadedProbe | null)[]> {
  const out: (LoadedProbe | null)[] = embedders.map(() => null);
  const ids = embedders.map((e) => e.manifest.id);
  for (const path of paths) {
    const file = await loadProbe(path);
    const i = ids.indexOf(file.modelId);
    if (i < 0) throw new Errors.INVALID_PROBE(`${path} is a probe for model "${file.modelId}", which this stream does not run (models: ${ids.join(', ')})`);
    if (out[i]) throw new Errors.INVALID_PROBE(`${path}: model "${file.modelId}" already has a probe (${out[i]!.id}); give one probe per model`);
    const dim = embedders[i].manifest.embeddingSize;
    if (file.embeddingSize !== dim) throw new Errors.INVALID_PROBE(`${path} expects ${file.embeddingSize}-d embeddings but model "${file.modelId}" gives ${dim}`);
    out[i] = loadedProbe(path, file);
  }
  return out;
}

/** A scene each model can hear: its own channel count, or mono (copied), or any layout for a mono model (mixed down). */
export function checkSceneFits(scene: PreparedScene, embedders: WindowEmbedder[]): void {
  for (const { manifest } of embedders) {
    const c = manifest.channels;
    if (c !== 1 && scene.channelCount !== 1 && scene.channelCount !== c) {
      throw new Errors.INVALID_CONDITION(`model "${manifest.id}" takes ${c} channels but receiver ${scene.receiverLabel} gives ${scene.channelCount}; use a receiver with ${c} channels (binaural for 2)`);
    }
  }
}
