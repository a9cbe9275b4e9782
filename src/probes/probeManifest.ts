import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Type, type Static, Value } from '../typebox.ts';
import { Errors } from '../errors.ts';
import { PACKAGE_ROOT } from '../paths.ts';

/** Where the shipped ready-made probe manifests live (models/probes/, apart from the encoder manifests in models/*.json). */
export const SHIPPED_PROBE_DIR = join(PACKAGE_ROOT, 'models', 'probes');

/**
 * A ready-made ONNX probe (models/probes/*.json): a model that answers a
 * question (is this speech? was a wake word said?) rather than giving an
 * embedding, so it is not a {@link import('../encoders/manifest.ts').ModelManifest}.
 * It reads either raw audio (Silero VAD) or the timestamp embeddings of an
 * encoder manifest (openWakeWord's wake-word heads over `oww-speech-embedding`).
 * Each file role is one output: a probability in [0, 1] every `hopS`.
 */
export const ProbeManifestSchema = Type.Object(
  {
    kind: Type.Literal('probe'),
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]*$' }),
    description: Type.String(),
    license: Type.String(),
    input: Type.Union([
      Type.Object({ kind: Type.Literal('audio'), sampleRateHz: Type.Integer({ minimum: 1000 }), chunkSamples: Type.Integer({ minimum: 1 }) }),
      Type.Object({ kind: Type.Literal('embeddings'), encoder: Type.String() }),
    ]),
    /** Graph files by role (head name, or "model"), relative to the manifest's folder. */
    files: Type.Record(Type.String(), Type.String(), { minProperties: 1 }),
    /** Time between outputs, seconds. */
    hopS: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: true },
);

export type ProbeManifest = Static<typeof ProbeManifestSchema>;

/** A probe manifest with its graph files resolved to absolute paths (checked to exist). */
export interface ResolvedProbeManifest {
  manifest: ProbeManifest;
  paths: Record<string, string>;
}

/**
 * Read and check a probe manifest: a shipped id (`silero-vad`, `oww-wakeword`)
 * or a path to a JSON file. Files resolve relative to the manifest's folder.
 *
 * @throws INVALID_MODEL for a malformed manifest, MODEL_FILES_MISSING when a graph is not there (run npm install)
 * @example
 * const { paths } = loadProbeManifest('silero-vad'); // paths.model = /…/models/openwakeword/silero_vad.onnx
 */
export function loadProbeManifest(idOrPath: string): ResolvedProbeManifest {
  const path = idOrPath.endsWith('.json') ? idOrPath : join(SHIPPED_PROBE_DIR, `${idOrPath}.json`);
  if (!existsSync(path)) throw new Errors.FILE_NOT_FOUND(path);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Errors.INVALID_MODEL(`${path}: not JSON (${(err as Error).message})`);
  }
  const first = Value.Errors(ProbeManifestSchema, value).First();
  if (first) throw new Errors.INVALID_MODEL(`${path}: ${first.path || '(the manifest)'}: ${first.message}`);
  const manifest = value as ProbeManifest;
  const paths: Record<string, string> = {};
  for (const [role, rel] of Object.entries(manifest.files)) {
    paths[role] = resolve(dirname(path), rel);
    if (!existsSync(paths[role])) throw new Errors.MODEL_FILES_MISSING(manifest.id, paths[role]);
  }
  return { manifest, paths };
}
