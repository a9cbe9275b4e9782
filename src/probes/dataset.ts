import { readdir, stat } from 'node:fs/promises';
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
 * Ogg, MP3; nested folders are searched too). Errors name every offending
 * path: a missing folder, a folder with no class subfolders, classes without
 * audio. Files are not decoded here: decoding errors surface, all together, when
 * embeddings are computed.
 */
export async function readLabelledData(dir: string): Promise<LabelledData> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new Errors.INVALID_DATA(`${root}: no such folder. Give a folder with one subfolder of audio clips per class.`);
  if (!info.isDirectory()) throw new Errors.INVALID_DATA(`${root} is a file; give a folder with one subfolder of audio clips per class.`);
  const entries = await readdir(root, { withFileTypes: true });
  const classes = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
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

async function listAudio(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listAudio(path)));
    else if (AUDIO_EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(path);
  }
  return out;
}
