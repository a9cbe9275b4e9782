import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ModelEntry } from '../encoders/registry.ts';
import { makeDirectory } from '../makeDirectory.ts';
import { writeAtomically } from '../writeAtomically.ts';

/**
 * Bump when decoding, resampling or scene embedding change what a clean
 * embedding is: older cache entries are then simply not found.
 */
const CACHE_VERSION = 1;

/** Where clean embeddings are kept between runs: $EARSHOT_CACHE_DIR, else $XDG_CACHE_HOME/earshot, else ~/.cache/earshot. */
export function defaultCacheDir(): string {
  if (process.env.EARSHOT_CACHE_DIR) return process.env.EARSHOT_CACHE_DIR;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'earshot');
}

/**
 * Clean scene embeddings on disk, one small float32 file per (model, clip
 * content). Keys hash the model's manifest and graph bytes and the clip's
 * decoded samples, so a renamed clip still hits and a changed model or clip misses.
 * Writes are atomic (temp file + rename): parallel writers of the same entry
 * are harmless and a kill never leaves half an entry.
 */
export class EmbeddingCache {
  private constructor(private readonly dir: string) {}

  static async forModel(cacheDir: string, entry: ModelEntry): Promise<EmbeddingCache> {
    const hash = createHash('sha256').update(`earshot-embeddings-v${CACHE_VERSION}\n`).update(JSON.stringify(entry.manifest));
    for (const role of Object.keys(entry.files).sort()) hash.update(`${role}:${await fileSha256(entry.files[role])}\n`);
    const dir = join(cacheDir, 'embeddings', `${entry.manifest.id.replace(/[^\w.-]/g, '_')}-${hash.digest('hex').slice(0, 16)}`);
    await makeDirectory(dir);
    return new EmbeddingCache(dir);
  }

  /** The key of a clip: a hash of its decoded samples at the model's rate. */
  static clipKey(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  async get(clipKey: string, dim: number): Promise<Float32Array | null> {
    const bytes = await readFile(join(this.dir, `${clipKey}.f32`)).catch(() => null);
    if (bytes === null || bytes.byteLength !== dim * 4) return null;
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  async put(clipKey: string, embedding: Float32Array): Promise<void> {
    // Not flushed: an entry lost to a power cut is computed again, and get() checks its length.
    await writeAtomically(join(this.dir, `${clipKey}.f32`), new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength), { durable: false });
  }
}

function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
