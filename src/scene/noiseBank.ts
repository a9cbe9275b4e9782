import { loadAudio } from '../audio/load.ts';
import { SHIPPED_NOISE_DIR } from '../paths.ts';
import { indexEntries, lookup, readBankDir, type BankEntry } from './bank.ts';
import { NOISE_COLOURS, type NoiseColour } from '../dsp/colouredNoise.ts';
import { cachedLoad } from '../cachedLoad.ts';

export interface NoiseBankOptions {
  /** Extra folders of noise recordings (or with a manifest.json listing "noises"). */
  userDirs: string[];
  includeShipped: boolean;
}

/** A noise as the scene uses it: a recording (mono) or a synthetic colour drawn per render. */
export type NoiseSource = { kind: 'recording'; id: string; samples: Float32Array } | { kind: 'colour'; id: string; colour: NoiseColour };

const COLOUR_ENTRIES: BankEntry[] = NOISE_COLOURS.map((c) => ({
  id: c,
  file: '',
  description: `synthetic ${c} noise (seeded), a fallback when no recording fits`,
  origin: 'shipped',
}));

/**
 * The noise bank: shipped real recordings (noise/manifest.json), user folders,
 * and the synthetic colours white, pink and brown. Recordings are mixed down to
 * mono and resampled once per rate, then cached.
 */
export class NoiseBank {
  private readonly cache = new Map<string, Promise<Float32Array>>();

  private constructor(private readonly byId: Map<string, BankEntry>) {}

  static async open(opts: Partial<NoiseBankOptions> = {}): Promise<NoiseBank> {
    const { userDirs = [], includeShipped = true } = opts;
    const lists = await Promise.all([
      ...(includeShipped ? [readBankDir(SHIPPED_NOISE_DIR, 'noises', 'shipped')] : []),
      ...userDirs.map((d) => readBankDir(d, 'noises', 'user')),
    ]);
    return new NoiseBank(indexEntries([...lists.flat(), ...COLOUR_ENTRIES]));
  }

  list(): BankEntry[] {
    return [...this.byId.values()];
  }

  entry(id: string): BankEntry {
    return lookup(this.byId, 'noise', id);
  }

  async load(id: string, sampleRateHz: number): Promise<NoiseSource> {
    const entry = this.entry(id);
    if ((NOISE_COLOURS as readonly string[]).includes(id) && entry.file === '') return { kind: 'colour', id, colour: id as NoiseColour };
    const key = `${id}@${sampleRateHz}`;
    const samples = await cachedLoad(this.cache, key, () => loadAudio(entry.file, { sampleRateHz, quality: 'best', mono: true }).then((a) => a.channels[0]));
    return { kind: 'recording', id, samples };
  }
}
