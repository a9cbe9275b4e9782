/**
 * Mixing a source with noise at a signal-to-noise ratio, the Nat-HEAR way:
 * one noise gain for all channels, from energies pooled over all channels.
 */
import { Errors } from '../errors.ts';
import { energy } from './level.ts';

/** Result of {@link mixAtSnr}. */
export interface SnrMix {
  /** source + noiseGain * noise, one array per channel (new arrays). */
  mixed: Float32Array[];
  /** Linear amplitude factor applied to the noise (0 when source or noise is silent). */
  noiseGain: number;
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
 * y = x + a * n with a from {@link noiseGainForSnr}, energies summed over all
 * channels of the (reverberant) source x and the (spatialised) noise n.
 * `noise` has as many channels as `source`, or one channel that is added to
 * every channel (its energy then counts once per channel, as mixed). All
 * channels must have the source's length.
 *
 * Silence: a silent noise or a silent source gives `noiseGain` 0 and `mixed`
 * equal to the source. No clipping: at low SNR, peaks may exceed [-1, 1].
 *
 * @example const { mixed, noiseGain } = mixAtSnr([left, right], [nl, nr], 10);
 */
export function mixAtSnr(source: readonly Float32Array[], noise: readonly Float32Array[], snrDb: number): SnrMix {
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
  const noiseEnergy = energy(noise) * (k / noise.length);
  const noiseGain = noiseGainForSnr(energy(source), noiseEnergy, snrDb);
  const mixed = source.map((x, c) => {
    const nz = noise[noise.length === 1 ? 0 : c];
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = x[i] + noiseGain * nz[i];
    return y;
  });
  return { mixed, noiseGain };
}

/**
 * The SNR actually present: 10 log10(E_source / E_noise) in dB, energies
 * summed over all channels, `noiseScaled` being the noise as mixed (after
 * its gain). +Infinity for silent noise with a non-silent source; -Infinity
 * for a silent source (including both silent).
 */
export function measureSnrDb(source: readonly Float32Array[], noiseScaled: readonly Float32Array[]): number {
  const es = energy(source);
  const en = energy(noiseScaled);
  if (es === 0) return -Infinity;
  if (en === 0) return Infinity;
  return 10 * Math.log10(es / en);
}
