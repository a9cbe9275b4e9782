import { loadAudio } from '../audio/load.ts';
import { SHIPPED_RIR_DIR } from '../paths.ts';
import { indexEntries, lookup, readBankDir, type BankEntry } from './bank.ts';
import { Errors } from '../errors.ts';

/** Channel layout of an IR: how its channels map to a receiver. */
export type RirLayout = 'mono' | 'stereo' | 'binaural' | 'foa' | 'array';

export interface RirEntry extends BankEntry {
  layout: RirLayout;
  kind: 'measured' | 'synthesized' | 'user';
}

export interface RirBankOptions {
  /** Extra folders of multichannel WAV/FLAC IRs (or with a manifest.json listing "rirs"). */
  userDirs: string[];
  /** Skip the shipped bank (tests of user folders). */
  includeShipped: boolean;
}

/**
 * The RIR bank: the shipped IRs (rirs/manifest.json) plus any user folders.
 * IRs are decoded and resampled (libsamplerate, best quality) once per rate and cached.
 */
export class RirBank {
  private readonly cache = new Map<string, Promise<Float32Array[]>>();

  private constructor(private readonly byId: Map<string, RirEntry>) {}

  static async open(opts: Partial<RirBankOptions> = {}): Promise<RirBank> {
    const { userDirs = [], includeShipped = true } = opts;
    const lists = await Promise.all([
      ...(includeShipped ? [readBankDir(SHIPPED_RIR_DIR, 'rirs', 'shipped')] : []),
      ...userDirs.map((d) => readBankDir(d, 'rirs', 'user')),
    ]);
    const entries = lists.flat().map((e): RirEntry => ({
      ...e,
      layout: (e.layout as RirLayout | undefined) ?? 'array',
      kind: (e.kind as RirEntry['kind'] | undefined) ?? 'user',
    }));
    return new RirBank(indexEntries(entries) as Map<string, RirEntry>);
  }

  list(): RirEntry[] {
    return [...this.byId.values()];
  }

  entry(id: string): RirEntry {
    return lookup(this.byId, 'RIR', id);
  }

  /** The IR's channels at `sampleRateHz`. A user file's layout is settled here from its channel count. */
  load(id: string, sampleRateHz: number): Promise<Float32Array[]> {
    const entry = this.entry(id);
    const key = `${id}@${sampleRateHz}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = loadAudio(entry.file, { sampleRateHz, quality: 'best' }).then(({ channels }) => {
        if (entry.origin === 'user' && entry.layout === 'array') {
          entry.layout = channels.length === 1 ? 'mono' : channels.length === 2 ? 'stereo' : 'array';
        }
        if (channels.length > 64) {
          throw new Errors.INVALID_BANK(`${entry.file}: ${channels.length} channels; an IR may have at most 64.`);
        }
        return channels;
      });
      hit.catch(() => this.cache.delete(key));
      this.cache.set(key, hit);
    }
    return hit;
  }
}
