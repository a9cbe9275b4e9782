import { loadAudio } from '../audio/load.ts';
import type { AudioData } from '../audio/types.ts';
import { SHIPPED_RIR_DIR } from '../paths.ts';
import { bankFileEntry, indexEntries, lookup, readBankDir, type BankEntry } from './bank.ts';
import { Errors } from '../errors.ts';
import { cachedLoad } from '../cachedLoad.ts';

/** Channel layout of an IR: how its channels map to a receiver. */
export type RirLayout = 'mono' | 'stereo' | 'binaural' | 'foa' | 'array';

const LAYOUTS: readonly RirLayout[] = ['mono', 'stereo', 'binaural', 'foa', 'array'];
/** Channels each fixed layout needs (an array may have any number). */
export const LAYOUT_CHANNELS: Partial<Record<RirLayout, number>> = { mono: 1, stereo: 2, binaural: 2, foa: 4 };

export interface RirEntry extends BankEntry {
  layout: RirLayout;
  kind: 'measured' | 'synthesized' | 'user';
}

export interface RirBankOptions {
  /** Extra folders of multichannel WAV/FLAC IRs (or with a manifest.json listing "rirs"). */
  userDirs: string[];
  /** Single IR files (WAV/FLAC...), each an entry named by its file name without extension. */
  userFiles: string[];
  /** Skip the shipped bank (tests of user folders). */
  includeShipped: boolean;
}

/**
 * The RIR bank: the shipped IRs (rirs/manifest.json) plus any user folders.
 * IRs are decoded and resampled (libsamplerate, best quality) once per rate and cached.
 */
export class RirBank {
  private readonly cache = new Map<string, Promise<AudioData>>();

  /** `inferLayout`: ids whose manifest gave no layout (or that have no manifest); load() sets it from the channel count. */
  private constructor(
    private readonly byId: Map<string, RirEntry>,
    private readonly inferLayout: Set<string>,
  ) {}

  static async open(opts: Partial<RirBankOptions> = {}): Promise<RirBank> {
    const { userDirs = [], userFiles = [], includeShipped = true } = opts;
    const lists = await Promise.all([
      ...(includeShipped ? [readBankDir(SHIPPED_RIR_DIR, 'rirs', 'shipped')] : []),
      ...userDirs.map((d) => readBankDir(d, 'rirs', 'user')),
      userFiles.map((file) => bankFileEntry(file, 'user')),
    ]);
    const inferLayout = new Set<string>();
    const entries = lists.flat().map((e): RirEntry => {
      if (e.layout === undefined) inferLayout.add(e.id);
      else if (!LAYOUTS.includes(e.layout as RirLayout)) {
        throw new Errors.INVALID_BANK(`${e.file}: the manifest gives "${e.id}" layout ${JSON.stringify(e.layout)}; use one of ${LAYOUTS.join(', ')} (or leave it out).`);
      }
      return { ...e, layout: (e.layout as RirLayout | undefined) ?? 'array', kind: (e.kind as RirEntry['kind'] | undefined) ?? 'user' };
    });
    return new RirBank(indexEntries(entries) as Map<string, RirEntry>, inferLayout);
  }

  list(): RirEntry[] {
    return [...this.byId.values()];
  }

  entry(id: string): RirEntry {
    return lookup(this.byId, 'RIR', id);
  }

  /**
   * The IR's channels at `sampleRateHz`. A layout the manifest left out is settled here from the
   * channel count (1 mono, 2 stereo, else array); a stated one must match it (INVALID_BANK naming the file).
   */
  async load(id: string, sampleRateHz: number): Promise<Float32Array[]> {
    return (await this.decode(id, sampleRateHz)).channels;
  }

  /** The IR at its file's own sample rate, unresampled (what `earshot rirs` lists and measures). */
  loadAtOwnRate(id: string): Promise<AudioData> {
    return this.decode(id, undefined);
  }

  private decode(id: string, sampleRateHz: number | undefined): Promise<AudioData> {
    const entry = this.entry(id);
    const key = `${id}@${sampleRateHz ?? 'own'}`;
    return cachedLoad(this.cache, key, () =>
      loadAudio(entry.file, { sampleRateHz, quality: 'best' }).then((audio) => {
        const { channels } = audio;
        const needed = LAYOUT_CHANNELS[entry.layout];
        if (this.inferLayout.has(id)) {
          entry.layout = channels.length === 1 ? 'mono' : channels.length === 2 ? 'stereo' : 'array';
        } else if (needed !== undefined && channels.length !== needed) {
          throw new Errors.INVALID_BANK(
            `${entry.file}: ${channels.length} channel(s), but the manifest gives "${id}" layout "${entry.layout}", which has ${needed}; fix the layout or the file.`,
          );
        }
        if (channels.length > 64) {
          throw new Errors.INVALID_BANK(`${entry.file}: ${channels.length} channels; an IR may have at most 64.`);
        }
        return audio;
      }),
    );
  }
}
