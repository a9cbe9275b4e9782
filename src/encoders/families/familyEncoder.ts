import { Errors } from '../../errors.ts';
import type { ModelManifest } from '../manifest.ts';
import type { Encoder, GraphLoader } from '../types.ts';
import { createFbankEncoder } from './fbank.ts';
import { createWaveformEncoder } from './waveform.ts';
import { createWhisperEncoder } from './whisper.ts';

/** The front-ends the families here drive (openWakeWord and the naive encoder have their own factories). */
export const FAMILY_FRONT_ENDS = ['waveform', 'kaldi-fbank', 'whisper-logmel'] as const;

/** Options of {@link createFamilyEncoder}: a manifest and its graph files resolved (a registry `ModelEntry` fits). */
export interface FamilyEncoderOptions {
  manifest: ModelManifest;
  /** Absolute path of each graph file, by role. */
  files: Record<string, string>;
  loader: GraphLoader;
}

/**
 * Opens a model's graph and returns the {@link Encoder} of its family,
 * chosen by the manifest alone: `frontEnd.kind` 'waveform' (mono [B, N] or
 * multichannel [B, C, N]), 'kaldi-fbank' ([B, T, F]) or 'whisper-logmel'
 * ([B, F, T]). The graph is the file of role `input.file`, else "model",
 * else the only one. INVALID_MODEL for another front-end or no graph file;
 * MODEL_MISMATCH when the graph does not fit the manifest.
 *
 * @example
 * const entry = await loadModelManifest('models/wav2vec2-base-random.json');
 * const encoder = await createFamilyEncoder({ ...entry, loader: pool });
 * const scene = await encoder.sceneEmbedding([samples16k]);
 */
export async function createFamilyEncoder(opts: FamilyEncoderOptions): Promise<Encoder> {
  const { manifest, files, loader } = opts;
  const kind = manifest.frontEnd.kind;
  if (!(FAMILY_FRONT_ENDS as readonly string[]).includes(kind)) {
    throw new Errors.INVALID_MODEL(`model "${manifest.id}": frontEnd.kind "${kind}" is not a family encoder (${FAMILY_FRONT_ENDS.join(', ')})`);
  }
  const roles = Object.keys(files);
  const role = manifest.input.file ?? (roles.includes('model') ? 'model' : roles.length === 1 ? roles[0] : undefined);
  if (role === undefined || files[role] === undefined) {
    throw new Errors.INVALID_MODEL(`model "${manifest.id}": no graph file to run (files: ${roles.join(', ') || 'none'}); name it "model" or set input.file`);
  }
  const runner = await loader.open(files[role]);
  if (kind === 'waveform') return createWaveformEncoder({ manifest, runner });
  if (kind === 'kaldi-fbank') return createFbankEncoder({ manifest, runner });
  return createWhisperEncoder({ manifest, runner });
}
