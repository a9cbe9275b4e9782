import { randomUUID } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { decodeAudioBytes, decodeAudioFile } from '../src/audio/decode.ts';
import { flacStreamInfo, sniffFormat } from '../src/audio/containers.ts';
import { Errors } from '../src/errors.ts';
import { makeDirectory } from '../src/makeDirectory.ts';
import { writeAtomically } from '../src/writeAtomically.ts';
import { MAX_RESAMPLE_RATE_HZ } from '../src/audio/libsamplerate.ts';

/** A clip a stream can play: a shipped speech clip or an upload. Paths never leave the server. */
export interface Clip {
  /** "digits/en/7" (shipped, its path under the clips folder without extension) or "upload/<uuid>". */
  id: string;
  /** What a file source names (`{"kind": "file", "path": ...}`): "speech/digits/en/7.wav" or "uploads/<uuid>.wav". A name in the server's clip table, not a file system path. */
  path: string;
  origin: 'shipped' | 'upload';
  /** File name as shipped or as uploaded (display only). */
  name: string;
  durationS: number;
  sampleRateHz: number;
  channels: number;
  bytes: number;
}

/** The lowest sample rate an upload may have (telephone speech). */
const MIN_UPLOAD_RATE_HZ = 8000;
const AUDIO_EXTENSIONS = new Set(['.wav', '.flac', '.ogg', '.mp3']);
const UPLOAD_ID = /^upload\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const EXTENSION_BY_FORMAT: Record<string, string> = { wav: '.wav', flac: '.flac', vorbis: '.ogg', mp3: '.mp3' };

/**
 * The clips offered to streams: the audio files under the shipped speech
 * folder that its `clips.txt` lists (one file or folder per line, relative
 * to the folder, offered in that order; "#" starts a comment; no clips.txt: every audio file), and the uploads folder (each upload stored as `<uuid>.<ext>` with a
 * `<uuid>.json` beside it). A clip is named by its id or its listed `path`,
 * both looked up in a table built from what is on disk and never joined into
 * a file system path, so no name a client sends can reach another file.
 */
export class ClipStore {
  private readonly byId = new Map<string, { clip: Clip; file: string }>();
  private readonly byPath = new Map<string, { clip: Clip; file: string }>();

  private constructor(private readonly uploadsDir: string) {}

  static async open(opts: { clipsDir: string; uploadsDir: string }): Promise<ClipStore> {
    const store = new ClipStore(opts.uploadsDir);
    const offered = await offeredEntries(opts.clipsDir);
    // In the order clips.txt lists them (the dashboard's first clip is its default), files under one entry sorted.
    const rank = (file: string) => (offered ? offered.findIndex((entry) => file === entry || file.startsWith(`${entry}${sep}`)) : 0);
    const files = (await audioFilesUnder(opts.clipsDir)).map((file) => ({ file, at: rank(file) })).filter((f) => f.at >= 0);
    for (const { file } of files.sort((a, b) => a.at - b.at)) {
      const rel = relative(opts.clipsDir, file);
      const id = rel.slice(0, -extname(rel).length).split(sep).join('/');
      const name = rel.split(sep).join('/');
      store.add({ id, path: `speech/${name}`, origin: 'shipped', name, ...(await describeFile(file)) }, file);
    }
    for (const name of await readdir(opts.uploadsDir).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const meta = JSON.parse(await readFile(join(opts.uploadsDir, name), 'utf8').catch(() => 'null')) as (Clip & { file: string }) | null;
      const match = meta && UPLOAD_ID.exec(meta.id);
      if (!match || !meta.file.startsWith(match[1]) || !AUDIO_EXTENSIONS.has(extname(meta.file))) continue;
      const { file, ...clip } = meta;
      store.add(clip, join(opts.uploadsDir, file));
    }
    return store;
  }

  list(): Clip[] {
    return [...this.byId.values()].map((e) => e.clip);
  }

  get(id: string): Clip {
    return this.lookup(id).clip;
  }

  /** The file behind a clip's id or listed path (for the pipeline only). */
  file(idOrPath: string): string {
    return this.lookup(idOrPath).file;
  }

  /**
   * Check that `bytes` decode as audio (UNKNOWN_FORMAT 415, CORRUPT_AUDIO /
   * EMPTY_AUDIO / NON_FINITE_AUDIO 422, each naming the upload), then store
   * them under a fresh id. The client's file name is kept for display only.
   */
  async addUpload(bytes: Uint8Array, clientName: string): Promise<Clip> {
    const name = displayName(clientName);
    const audio = await decodeAudioBytes(bytes, `upload "${name}"`);
    // Refused here, not when a stream plays it: past 192 kHz the resampler cannot take it, and below 8 kHz there is no speech band to test.
    if (audio.sampleRateHz < MIN_UPLOAD_RATE_HZ || audio.sampleRateHz > MAX_RESAMPLE_RATE_HZ) {
      throw new Errors.UNSUPPORTED_RATE(`upload "${name}"`, audio.sampleRateHz, `${MIN_UPLOAD_RATE_HZ} to ${MAX_RESAMPLE_RATE_HZ}`);
    }
    const uuid = randomUUID();
    const ext = EXTENSION_BY_FORMAT[sniffFormat(bytes)?.format ?? ''] ?? '.bin';
    const file = `${uuid}${ext}`;
    const clip: Clip = { id: `upload/${uuid}`, path: `uploads/${file}`, origin: 'upload', name, ...describe(audio), bytes: bytes.length };
    await makeDirectory(this.uploadsDir);
    const audioPath = join(this.uploadsDir, file);
    try {
      await writeFile(audioPath, bytes);
      // Metadata last, through a rename: a half-written upload is never listed after a restart.
      const metaPath = join(this.uploadsDir, `${uuid}.json`);
      await writeAtomically(metaPath, JSON.stringify({ ...clip, file }));
    } catch (err) {
      await rm(audioPath, { force: true });
      throw new Errors.WRITE_FAILED(this.uploadsDir, (err as Error).message);
    }
    this.add(clip, audioPath);
    return clip;
  }

  private add(clip: Clip, file: string): void {
    this.byId.set(clip.id, { clip, file });
    this.byPath.set(clip.path, { clip, file });
  }

  private lookup(id: string): { clip: Clip; file: string } {
    const hit = this.byId.get(id) ?? this.byPath.get(id);
    if (hit === undefined) {
      const known = [...this.byId.keys()];
      const shown = known.length > 12 ? `${known.slice(0, 12).join(', ')}, ... (${known.length} in all; GET /api/clips)` : known.join(', ') || '(none)';
      throw new Errors.UNKNOWN_ID('clip', String(id).slice(0, 200), shown);
    }
    return hit;
  }
}

function describe(audio: { sampleRateHz: number; channels: Float32Array[] }): Pick<Clip, 'durationS' | 'sampleRateHz' | 'channels'> {
  return { durationS: audio.channels[0].length / audio.sampleRateHz, sampleRateHz: audio.sampleRateHz, channels: audio.channels.length };
}

/** A shipped clip's shape and size: from a FLAC's STREAMINFO when it states its length (no decoding), else by decoding the file. */
async function describeFile(file: string): Promise<Pick<Clip, 'durationS' | 'sampleRateHz' | 'channels' | 'bytes'>> {
  const bytes = new Uint8Array(await readFile(file));
  const sniffed = sniffFormat(bytes);
  const info = sniffed?.format === 'flac' ? flacStreamInfo(bytes, sniffed.offset) : null;
  if (info && info.totalFrames > 0 && info.sampleRateHz > 0) return { durationS: info.totalFrames / info.sampleRateHz, sampleRateHz: info.sampleRateHz, channels: info.channels, bytes: bytes.length };
  return { ...describe(await decodeAudioFile(file)), bytes: bytes.length };
}

// Printable, short, no path separators: the name is shown in lists and error messages, never used as a path.
function displayName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^\p{L}\p{N} ._()-]/gu, '_').slice(0, 100);
  return clean === '' ? 'upload' : clean;
}

/** The absolute paths that the folder's clips.txt lists, or null when it has none. */
async function offeredEntries(dir: string): Promise<string[] | null> {
  const text = await readFile(join(dir, 'clips.txt'), 'utf8').catch(() => null);
  if (text === null) return null;
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .map((line) => join(dir, line).replace(/[\\/]+$/, ''));
}

async function audioFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && AUDIO_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
