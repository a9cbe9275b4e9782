import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, dirname } from 'node:path';
import { Errors } from '../errors.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { validateManifest, type ModelManifest } from './manifest.ts';
import { checkManifestGraphs } from './manifestCheck.ts';
import { readGraphInfo } from './runtime/onnxInfo.ts';
import type { GraphInfo } from './types.ts';

/** The shipped manifests' folder (models/; its ONNX files are copied there at install). */
export const SHIPPED_MODEL_DIR = join(PACKAGE_ROOT, 'models');

/** One model manifest, checked against whichever of its ONNX files are present. */
export interface ModelEntry {
  manifest: ModelManifest;
  /** Absolute path of the manifest file. */
  manifestPath: string;
  origin: 'shipped' | 'user';
  /** Graph files by role, absolute (resolved against the manifest's folder). */
  files: Record<string, string>;
  /** Roles whose file is absent (not installed yet, or a wrong path). */
  missing: string[];
  /** Inputs and outputs of each present graph, read from the file. */
  graphs: Record<string, GraphInfo>;
}

/**
 * Read one manifest file: parse, validate (INVALID_MODEL naming file and
 * field), resolve its files, and check it against the graphs present
 * (MODEL_MISMATCH). Missing files are recorded in `missing`, not thrown:
 * use `ModelRegistry.require` where they must be there.
 */
export async function loadModelManifest(path: string, origin: ModelEntry['origin'] = 'user'): Promise<ModelEntry> {
  const manifestPath = resolve(path);
  const shown = displayPath(manifestPath);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (err) {
    throw new Errors.INVALID_MODEL(`${shown}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}.`);
  }
  const manifest = validateManifest(shown, json);
  const files: Record<string, string> = {};
  const missing: string[] = [];
  const graphs: Record<string, GraphInfo> = {};
  for (const [role, file] of Object.entries(manifest.files)) {
    files[role] = resolve(dirname(manifestPath), file);
    if (!(await stat(files[role]).catch(() => undefined))?.isFile()) {
      missing.push(role);
      continue;
    }
    try {
      graphs[role] = await readGraphInfo(files[role]);
    } catch (err) {
      throw new Errors.INVALID_MODEL(`${shown}: files.${role} (${file}) is not a readable ONNX model: ${(err as Error).message}. Copy or export it again.`);
    }
  }
  checkManifestGraphs(shown, manifest, graphs, files);
  return { manifest, manifestPath, origin, files, missing, graphs };
}

/**
 * The models earshot knows: the shipped manifests (models/*.json) plus the
 * `*.json` in each user folder, by id. Opening validates every manifest and
 * checks it against its ONNX files; an id used twice is an error naming both
 * files.
 *
 * @example
 * const models = await ModelRegistry.open({ userDirs: ['my-models'] });
 * const entry = models.require('oww-speech-embedding'); // throws if its ONNX files are not installed
 */
export class ModelRegistry {
  private constructor(private readonly byId: Map<string, ModelEntry>) {}

  static async open(opts: { userDirs?: string[]; shippedDir?: string } = {}): Promise<ModelRegistry> {
    const entries = [
      ...(await readModelDir(opts.shippedDir ?? SHIPPED_MODEL_DIR, 'shipped')),
      ...(await Promise.all((opts.userDirs ?? []).map((d) => readModelDir(d, 'user')))).flat(),
    ];
    const byId = new Map<string, ModelEntry>();
    for (const e of entries) {
      const twin = byId.get(e.manifest.id);
      if (twin) throw new Errors.INVALID_MODEL(`model id "${e.manifest.id}" is used twice: ${displayPath(twin.manifestPath)} and ${displayPath(e.manifestPath)}. Rename one.`);
      byId.set(e.manifest.id, e);
    }
    return new ModelRegistry(byId);
  }

  /** Every entry, shipped first, then user folders, each in file-name order. */
  list(): ModelEntry[] {
    return [...this.byId.values()];
  }

  /** An entry by id (UNKNOWN_ID lists the known ids). */
  entry(id: string): ModelEntry {
    const e = this.byId.get(id);
    if (e === undefined) throw new Errors.UNKNOWN_ID('model', id, [...this.byId.keys()].join(', ') || '(none)');
    return e;
  }

  /**
   * An entry whose ONNX files are all present; MODEL_FILES_MISSING (suggesting
   * `npm install`) otherwise, naming the manifest and files by path, or with
   * `naming: 'id'` (for the server's clients, who know ids) by the model's id
   * and the files' base names.
   */
  require(id: string, naming: 'paths' | 'id' = 'paths'): ModelEntry {
    const e = this.entry(id);
    if (e.missing.length > 0) {
      const files = e.missing.map((r) => (naming === 'id' ? basename(e.files[r]) : displayPath(e.files[r]))).join(', ');
      throw new Errors.MODEL_FILES_MISSING(naming === 'id' ? `model "${id}"` : displayPath(e.manifestPath), files, installHint(e.manifest));
    }
    return e;
  }
}

async function readModelDir(dir: string, origin: ModelEntry['origin']): Promise<ModelEntry[]> {
  const root = resolve(dir);
  const names = await readdir(root).catch((err: NodeJS.ErrnoException) => {
    if (origin === 'shipped' && err.code === 'ENOENT') return [];
    throw new Errors.INVALID_MODEL(`${root}: ${err.code === 'ENOTDIR' ? 'is a file; give a folder of model manifests (*.json)' : 'no such folder; give a folder of model manifests (*.json)'}.`);
  });
  const manifests = names.filter((n) => n.endsWith('.json')).sort();
  return Promise.all(manifests.map((n) => loadModelManifest(join(root, n), origin)));
}

/** How to get a model's files: the manifest's `install` hint, else `npm install` (which copies the shipped graphs). */
export function installHint(manifest: ModelManifest): string {
  return typeof manifest.install === 'string' ? manifest.install : 'npm install';
}

// Paths inside the package or the working folder print relative ("models/x.json"), others absolute.
function displayPath(path: string): string {
  for (const base of [process.cwd(), PACKAGE_ROOT]) {
    const rel = relative(base, path);
    if (!rel.startsWith('..') && !rel.startsWith('/')) return rel;
  }
  return path;
}
