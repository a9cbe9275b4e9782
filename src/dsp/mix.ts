/**
 * Mixing a source with noise at a signal-to-noise ratio. Two definitions:
 * `pooled`, one noise gain for all channels from energies pooled over all
 * channels (the SNR holds for the scene as a whole; the noise keeps its
 * interaural level differences), and `per-channel`, one gain per channel from
 * that channel's energies (the Nat-HEAR evaluation code: labhamlet/wavjepa,
 * hear_api/heaRIR/scene_module/generate_scenes.py, `add_noise`, whose norms
 * run over the last axis of a [channels, samples] tensor).
 */
import { Errors } from '../errors.ts';
import { energy } from './level.ts';

/** How the noise gain is set: from energies over all channels, or channel by channel. */
export type SnrMode = 'pooled' | 'per-channel';

/** Result of {@link mixAtSnr}. */
export interface SnrMix {
  /** source + noiseGains[c] * noise, one array per channel (new arrays). */
  mixed: Float32Array[];
  /**
   * Linear amplitude factor applied to the noise: pooled, the one gain;
   * per-channel, the single gain that would add the same noise energy,
   * sqrt(Σ a_c² E_n,c / Σ E_n,c). 0 when no noise was added.
   */
  noiseGain: number;
  /** The factor applied to each channel's noise (all equal when pooled; 0 for a silent channel). */
  noiseGains: number[];
}

/**
 * Noise gain for a target SNR: a = sqrt(E_x / E_n * 10^(-snrDb/10)), so that
 * 10 log10(E_x / (a^2 E_n)) = snrDb (WavJEPA-Nat / GRAM scene recipe; the
 * same formula as audiomentations' `calculate_desired_noise_rms`, in energy
 * form). Returns 0 when either energy is 0: silent noise cannot be scaled
 * up to anything, and a silent source gets no noise relative to it.
 *
 * @param sourceEnergy sum of squares of the source over all channels
 * @param noiseEnergy sum of squares of the noise over all channels
 */
export function noiseGainForSnr(sourceEnergy: number, noiseEnergy: number, snrDb: number): number {
  if (!(sourceEnergy > 0) || !(noiseEnergy > 0)) return 0;
  return Math.sqrt((sourceEnergy / noiseEnergy) * 10 ** (-snrDb / 10));
}

/**
 * y = x + a * n with a from {@link noiseGainForSnr}: `pooled` (the default),
 * energies summed over all channels of the (reverberant) source x and the
 * (spatialised) noise n, one gain; `per-channel`, each channel's own energies
 * and gain, so every channel is at `snrDb`. `noise` has as many channels as
 * `source`, or one channel that is added to every channel (its energy then
 * counts once per channel, as mixed). All channels must have the source's length.
 *
 * Silence: a silent noise or a silent source gives gain 0 and `mixed` equal to
 * the source; per-channel, so does a channel whose source or noise is silent.
 * No clipping: at low SNR, peaks may exceed [-1, 1].
 *
 * @example const { mixed, noiseGains } = mixAtSnr([left, right], [nl, nr], 10, 'per-channel');
 */
export function mixAtSnr(source: readonly Float32Array[], noise: readonly Float32Array[], snrDb: number, mode: SnrMode = 'pooled'): SnrMix {
  if (!Number.isFinite(snrDb)) throw new Errors.INVALID_OPTION(`snrDb must be a finite number of decibels, got ${snrDb}`);
  const k = source.length;
  if (k === 0) throw new Errors.INVALID_OPTION('source must have at least one channel, got 0');
  if (noise.length !== k && noise.length !== 1) {
    throw new Errors.INVALID_OPTION(`noise must have 1 or ${k} channel(s) to match the source, got ${noise.length}`);
  }
  const n = source[0].length;
  for (const [name, chans] of [['source', source], ['noise', noise]] as const) {
    chans.forEach((ch, i) => {
      if (ch.length !== n) throw new Errors.INVALID_OPTION(`${name}[${i}] has ${ch.length} samples, source[0] has ${n}; lay the noise under the clip first`);
    });
  }
  if (mode !== 'pooled' && mode !== 'per-channel') throw new Errors.INVALID_OPTION(`mode must be "pooled" or "per-channel", got ${JSON.stringify(mode)}`);
  const noiseOf = (c: number) => noise[noise.length === 1 ? 0 : c];
  const { noiseGain, noiseGains } = snrGains({
    sourceEnergy: mode === 'pooled' ? energy(source) : 0,
    sourceEnergies: source.map((x) => (mode === 'pooled' ? 0 : energy([x]))),
    noiseEnergies: source.map((_, c) => energy([noiseOf(c)])),
    snrDb,
    mode,
  });
  const mixed = source.map((x, c) => {
    const nz = noiseOf(c);
    const a = noiseGains[c];
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = x[i] + a * nz[i];
    return y;
  });
  return { mixed, noiseGain, noiseGains };
}

/**
 * The noise gains of {@link mixAtSnr} from the energies alone (a render that mixes block
 * by block measures them first): `sourceEnergy` pooled over all channels (read when
 * pooled), `sourceEnergies` and `noiseEnergies` channel by channel (the noise as added to
 * each channel). Same formulas, so the same gains for the same energies.
 */
export function snrGains(e: { sourceEnergy: number; sourceEnergies: number[]; noiseEnergies: number[]; snrDb: number; mode: SnrMode }): Omit<SnrMix, 'mixed'> {
  const totalNoise = e.noiseEnergies.reduce((a, b) => a + b, 0);
  const pooled = e.mode === 'pooled' ? noiseGainForSnr(e.sourceEnergy, totalNoise, e.snrDb) : 0;
  const noiseGains = e.noiseEnergies.map((en, c) => (e.mode === 'pooled' ? pooled : noiseGainForSnr(e.sourceEnergies[c], en, e.snrDb)));
  const added = noiseGains.reduce((sum, a, c) => sum + a * a * e.noiseEnergies[c], 0);
  const noiseGain = e.mode === 'pooled' ? pooled : totalNoise > 0 ? Math.sqrt(added / totalNoise) : 0;
  return { noiseGain, noiseGains };
}

/**
 * The SNR actually present: 10 log10(E_source / E_noise) in dB, energies
 * summed over all channels, `noiseScaled` being the noise as mixed (after
 * its gain). +Infinity for silent noise with a non-silent source; -Infinity
 * for a silent source (including both silent).
 */
export function measureSnrDb(source: readonly Float32Array[], noiseScaled: readonly Float32Array[]): number {
  return snrFromEnergies(energy(source), energy(noiseScaled));
}

/** {@link measureSnrDb} of each channel on its own (the per-channel definition), in channel order. */
export function measureChannelSnrDb(source: readonly Float32Array[], noiseScaled: readonly Float32Array[]): number[] {
  return source.map((x, c) => snrFromEnergies(energy([x]), energy([noiseScaled[c]])));
}

/** 10 log10(E_source / E_noise) in dB, with {@link measureSnrDb}'s infinities for silence. */
export function snrFromEnergies(es: number, en: number): number {
  if (es === 0) return -Infinity;
  if (en === 0) return Infinity;
  return 10 * Math.log10(es / en);
}
