import { readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { Errors } from '../errors.ts';

const AUDIO_EXTENSIONS = new Set(['.wav', '.flac', '.ogg', '.mp3']);

/** A labelled data folder: DIR/<class>/<clip>.wav, classes in sorted order. */
export interface LabelledData {
  root: string;
  classes: string[];
  /** Paths relative to `root` ("yes/yes_001.wav"), sorted; `labels[i]` indexes `classes`. */
  files: string[];
  labels: Int32Array;
}

/**
 * Read a folder with one subfolder per class holding audio files (WAV, FLAC,
 * Ogg, MP3; nested folders are searched too, symbolic links are followed,
 * hidden files and folders are skipped). Errors name every offending path: a
 * missing folder, a folder with no class subfolders, classes without audio.
 * Files are not decoded here: decoding errors surface, all together, when
 * embeddings are computed.
 */
export async function readLabelledData(dir: string): Promise<LabelledData> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new Errors.INVALID_DATA(`${root}: no such folder. Give a folder with one subfolder of audio clips per class.`);
  if (!info.isDirectory()) throw new Errors.INVALID_DATA(`${root} is a file; give a folder with one subfolder of audio clips per class.`);
  const entries = await readdir(root, { withFileTypes: true });
  const classes: string[] = [];
  for (const e of entries) if (!e.name.startsWith('.') && (await isFolder(join(root, e.name), e))) classes.push(e.name);
  classes.sort();
  if (classes.length === 0) {
    throw new Errors.INVALID_DATA(`${root} has no class subfolders. Lay it out as ${root}/<class>/<clip>.wav, one subfolder per class.`);
  }
  if (classes.length === 1) throw new Errors.INVALID_DATA(`${root} has a single class ("${classes[0]}"); a probe needs at least two.`);
  const files: string[] = [];
  const labels: number[] = [];
  const empty: string[] = [];
  for (const [index, cls] of classes.entries()) {
    const clips = (await listAudio(join(root, cls))).map((p) => relative(root, p)).sort();
    if (clips.length === 0) empty.push(join(root, cls));
    files.push(...clips);
    labels.push(...clips.map(() => index));
  }
  if (empty.length > 0) {
    throw new Errors.INVALID_DATA(`these class folders hold no audio (.wav, .flac, .ogg, .mp3): ${empty.join(', ')}. Add clips or remove the folders.`);
  }
  return { root, classes, files, labels: Int32Array.from(labels) };
}

// Symbolic links count as what they point to (data sets are often assembled from links).
async function isFolder(path: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

// Hidden entries are skipped: macOS leaves "._clip.wav" resource forks that are not audio.
// `seen` holds real paths, so a link back up the tree is not walked twice.
async function listAudio(dir: string, seen = new Set<string>()): Promise<string[]> {
  const real = await realpath(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (await isFolder(path, e)) out.push(...(await listAudio(path, seen)));
    else if (AUDIO_EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(path);
  }
  return out;
}
