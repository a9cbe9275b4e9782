import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Errors } from '../errors.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { loadProbe, type ProbeFile } from './probeFile.ts';
import { loadProbeManifest, SHIPPED_PROBE_DIR, type ResolvedProbeManifest } from './probeManifest.ts';

/** The trained linear probes earshot ships (models/trained). */
export const SHIPPED_TRAINED_DIR = join(PACKAGE_ROOT, 'models', 'trained');

/** Where probe ids are looked up, in order: the shipped ready-made probes, the shipped trained ones, then `extra` (e.g. `serve --probes-dir`). */
export function probeDirs(extra: string[] = []): string[] {
  return [...new Set([SHIPPED_PROBE_DIR, SHIPPED_TRAINED_DIR, ...extra.map((d) => resolve(d))])];
}

/**
 * A probe named by id or path, read and checked: a linear probe written by
 * `earshot probe train`, or a ready-made probe manifest (models/probes/*.json:
 * the wake-word heads, Silero VAD).
 */
export type ResolvedProbe =
  | { kind: 'linear'; id: string; path: string; file: ProbeFile }
  | { kind: 'manifest'; id: string; path: string; manifest: ResolvedProbeManifest };

/**
 * Probe ids: the `*.json` files of the folders, by name without extension
 * (the first folder wins; models/trained's `make-probes.sh` and other files are not probes).
 */
export async function listProbeIds(dirs: string[]): Promise<Map<string, string>> {
  const byId = new Map<string, string>();
  for (const dir of dirs) {
    for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
      if (name.endsWith('.json') && !byId.has(basename(name, '.json'))) byId.set(basename(name, '.json'), join(dir, name));
    }
  }
  return byId;
}

/**
 * Resolve a probe the way every command and the server do: an existing file
 * is read as it is; otherwise the name is an id looked up in `dirs`
 * (default {@link probeDirs}: models/probes, models/trained). Neither: an
 * INVALID_PROBE error naming both lookups and listing the known ids.
 *
 * @example
 * await resolveProbe('oww-wakeword');               // { kind: 'manifest', id: 'oww-wakeword', ... }
 * await resolveProbe('models/trained/language.json'); // { kind: 'linear', id: 'language', ... }
 */
export async function resolveProbe(name: string, dirs: string[] = probeDirs()): Promise<ResolvedProbe> {
  let path: string | undefined;
  if (existsSync(name)) path = resolve(name);
  else {
    const ids = await listProbeIds(dirs);
    path = ids.get(name) ?? ids.get(basename(name, '.json'));
    // A path that names no file is not looked up by its base name: only a bare id is.
    if (path !== undefined && (name.includes('/') || name.includes('\\'))) path = undefined;
    if (path === undefined) {
      throw new Errors.INVALID_PROBE(
        `probe "${name}": no file at ${resolve(name)}, and no probe with that id in ${dirs.join(', ')}. Known ids: ${[...ids.keys()].join(', ') || '(none)'}`,
      );
    }
  }
  return readProbeAt(path);
}

/** Read a probe file of either kind (by its `kind` field: "probe" is a manifest). */
export async function readProbeAt(path: string): Promise<ResolvedProbe> {
  const id = basename(path).replace(/\.json$/i, '');
  let kind: unknown;
  try {
    kind = (JSON.parse(readFileSync(path, 'utf8')) as { kind?: unknown } | null)?.kind;
  } catch {
    kind = undefined; // loadProbe names what is wrong
  }
  if (kind === 'probe') {
    const manifest = loadProbeManifest(path);
    return { kind: 'manifest', id: manifest.manifest.id, path, manifest };
  }
  return { kind: 'linear', id, path, file: await loadProbe(path) };
}

/** A wake-word probe: a manifest whose heads read an encoder's embeddings (oww-wakeword). Null for anything else. */
export function wakeWordManifest(probe: ResolvedProbe): (ResolvedProbeManifest & { encoder: string }) | null {
  if (probe.kind !== 'manifest' || probe.manifest.manifest.input.kind !== 'embeddings') return null;
  return { ...probe.manifest, encoder: probe.manifest.manifest.input.encoder };
}
