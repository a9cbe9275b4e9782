import type { GraphLoader } from '../encoders/types.ts';
import { Errors } from '../errors.ts';
import { resolveProbe, wakeWordManifest } from '../probes/resolveProbe.ts';
import { openWakeWordHead } from '../probes/wakeword.ts';
import type { PreparedScene } from '../scene/prepare.ts';
import { loadedProbe, type LoadedProbe } from './probeWindows.ts';
import type { LoadedWakeWord } from './wakeWordWindows.ts';
import type { WindowEmbedder } from './windowEmbedder.ts';

/** The hop a wake-word head's history assumes: one speech embedding per 80 ms. */
const WAKE_WORD_HOP_S = 0.08;

/**
 * Resolve probes by id or path (src/probes/resolveProbe.ts) and match each to
 * the stream's model: a linear probe by its `modelId` (one per model at most),
 * a wake-word probe by the encoder its heads read (its heads opened on
 * `loader`). Returns one entry per embedder of each kind, null where a model
 * has none.
 */
export async function loadProbes(names: string[], embedders: WindowEmbedder[], loader: GraphLoader, hopS?: number): Promise<{ linear: (LoadedProbe | null)[]; wake: (LoadedWakeWord | null)[] }> {
  const out: (LoadedProbe | null)[] = embedders.map(() => null);
  const wake: (LoadedWakeWord | null)[] = embedders.map(() => null);
  const ids = embedders.map((e) => e.manifest.id);
  for (const name of names) {
    const resolved = await resolveProbe(name);
    const path = resolved.path;
    if (resolved.kind === 'manifest') {
      const manifest = wakeWordManifest(resolved);
      if (manifest === null) throw new Errors.INVALID_PROBE(`${resolved.id} reads raw audio, not a model's embeddings; a stream runs it as its VAD (on by default), not as a probe`);
      const i = ids.indexOf(manifest.encoder);
      if (i < 0) throw new Errors.INVALID_PROBE(`${resolved.id}'s heads read model "${manifest.encoder}", which this stream does not run (models: ${ids.join(', ')}); add that model to the stream`);
      if (wake[i]) throw new Errors.INVALID_PROBE(`model "${manifest.encoder}" already has a wake-word probe (${wake[i]!.id})`);
      const hop = embedders[i].spec(hopS).hopS;
      if (Math.abs(hop - WAKE_WORD_HOP_S) > 1e-9) throw new Errors.INVALID_PROBE(`${resolved.id}'s heads need one embedding every ${WAKE_WORD_HOP_S * 1000} ms; this stream's hop is ${Math.round(hop * 1000)} ms (leave the hop out)`);
      const heads = await Promise.all(Object.entries(manifest.paths).map(([id, p]) => openWakeWordHead(loader, id, p)));
      wake[i] = { id: resolved.id, modelId: manifest.encoder, heads };
      continue;
    }
    const file = resolved.file;
    const i = ids.indexOf(file.modelId);
    if (i < 0) throw new Errors.INVALID_PROBE(`${path} is a probe for model "${file.modelId}", which this stream does not run (models: ${ids.join(', ')})`);
    if (out[i]) throw new Errors.INVALID_PROBE(`${path}: model "${file.modelId}" already has a probe (${out[i]!.id}); give one probe per model`);
    const dim = embedders[i].manifest.embeddingSize;
    if (file.embeddingSize !== dim) throw new Errors.INVALID_PROBE(`${path} expects ${file.embeddingSize}-d embeddings but model "${file.modelId}" gives ${dim}`);
    out[i] = loadedProbe(path, file);
  }
  return { linear: out, wake };
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
