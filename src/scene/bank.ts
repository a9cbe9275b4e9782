import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { Errors } from '../errors.ts';

/** One recording in a bank (RIRs or noises), as listed by a manifest or found in a user folder. */
export interface BankEntry {
  id: string;
  /** Absolute path of the audio file. */
  file: string;
  description: string;
  license?: string;
  credit?: string;
  origin: 'shipped' | 'user';
  /** Extra manifest fields (e.g. a RIR's layout). */
  [extra: string]: unknown;
}

const AUDIO_EXTENSIONS = new Set(['.wav', '.flac', '.ogg', '.mp3']);

/**
 * Read one bank folder: its `manifest.json` (`{ "<listKey>": [{ id, file, description, ... }] }`)
 * when there is one, else every audio file in it (id = file name without extension).
 * Errors name the folder and what to fix.
 */
export async function readBankDir(dir: string, listKey: string, origin: BankEntry['origin']): Promise<BankEntry[]> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new Errors.INVALID_BANK(`${root}: no such folder. Give a folder of audio files (WAV, FLAC, Ogg, MP3).`);
  if (!info.isDirectory()) throw new Errors.INVALID_BANK(`${root} is a file; a bank is a folder of audio files.`);
  const manifestPath = join(root, 'manifest.json');
  const manifest = await readFile(manifestPath, 'utf8').catch(() => undefined);
  if (manifest !== undefined) return parseManifest(manifestPath, manifest, root, listKey, origin);
  const names = (await readdir(root)).filter((n) => AUDIO_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new Errors.INVALID_BANK(`${root} holds no audio files (.wav, .flac, .ogg, .mp3) and no manifest.json.`);
  return names.map((name) => bankFileEntry(join(root, name), origin));
}

/** The entry of one audio file outside any manifest: its id is the file name without extension. */
export function bankFileEntry(file: string, origin: BankEntry['origin']): BankEntry {
  const name = basename(file);
  return { id: basename(name, extname(name)), file: resolve(file), description: `user file ${name}`, origin };
}

function parseManifest(path: string, text: string, root: string, listKey: string, origin: BankEntry['origin']): BankEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Errors.INVALID_BANK(`${path}: not valid JSON (${(err as Error).message}).`);
  }
  const list = (json as Record<string, unknown> | null)?.[listKey];
  if (!Array.isArray(list)) throw new Errors.INVALID_BANK(`${path}: expected {"${listKey}": [ ... ]}.`);
  return list.map((item, i) => {
    const e = item as Record<string, unknown>;
    if (typeof e?.id !== 'string' || !/^[\w.:-]+$/.test(e.id)) {
      throw new Errors.INVALID_BANK(`${path}: ${listKey}[${i}].id must be a string of letters, digits, "_", "-", "." or ":".`);
    }
    if (typeof e.file !== 'string') throw new Errors.INVALID_BANK(`${path}: ${listKey}[${i}] ("${e.id}") has no "file".`);
    return { ...e, id: e.id, file: join(root, e.file), description: String(e.description ?? ''), origin } as BankEntry;
  });
}

/** Index entries by id; the same id twice is an error naming both files (or the built-in entry without one). */
export function indexEntries(entries: BankEntry[]): Map<string, BankEntry> {
  const byId = new Map<string, BankEntry>();
  for (const e of entries) {
    const twin = byId.get(e.id);
    if (twin) {
      const files = [twin, e].filter((x) => x.file !== '').map((x) => x.file);
      const rename = files.length === 2 ? 'Rename one of the files.' : `Rename ${files[0]}.`;
      throw new Errors.INVALID_BANK(`id "${e.id}" is used twice: ${where(twin)} and ${where(e)}. ${rename}`);
    }
    byId.set(e.id, e);
  }
  return byId;
}

// A built-in entry (a synthetic noise colour) has no file; name it by its description.
function where(e: BankEntry): string {
  return e.file !== '' ? e.file : `the built-in ${e.description.split(' (')[0]}`;
}

/** Look an id up, or throw UNKNOWN_ID listing what is known. */
export function lookup<T>(byId: Map<string, T>, what: string, id: string): T {
  const hit = byId.get(id);
  if (hit === undefined) throw new Errors.UNKNOWN_ID(what, id, [...byId.keys()].join(', '));
  return hit;
}
