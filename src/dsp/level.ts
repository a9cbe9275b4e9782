/**
 * Signal level over multichannel audio: energy, RMS, peak, dBFS, samples past
 * full scale, RMS normalisation.
 * Multichannel levels pool every sample of every channel, as the Nat-HEAR
 * recipe does for its SNR energies. Sums run in float64.
 */

/**
 * Total energy: the sum of x^2 over all samples of all channels.
 * 0 for silence or no samples.
 *
 * @example energy([Float32Array.of(1, -1), Float32Array.of(0.5)]) // 2.25
 */
export function energy(channels: readonly Float32Array[]): number {
  // Channel by channel, then the channels' sums in order: a render that goes block by block
  // sums each channel as it goes and gets the same number (renderBlocks.ts).
  let e = 0;
  for (const ch of channels) e += addSquares(0, ch);
  return e;
}

/**
 * `acc` + the sum of x[i]^2 for i in from..to-1, added in sample order, so that a
 * signal summed block by block (each block added to the running sum) gives the
 * whole signal's number.
 */
export function addSquares(acc: number, x: Float32Array, from = 0, to = x.length): number {
  for (let i = from; i < to; i++) acc += x[i] * x[i];
  return acc;
}

/**
 * RMS over all samples of all channels: sqrt(energy / total sample count),
 * linear amplitude (1 = full scale DC). 0 for silence or no samples.
 *
 * @example rms([Float32Array.of(1, -1, 1, -1)]) // 1
 */
export function rms(channels: readonly Float32Array[]): number {
  let count = 0;
  for (const ch of channels) count += ch.length;
  return count === 0 ? 0 : Math.sqrt(energy(channels) / count);
}

/**
 * Level in dBFS: 20 log10(rms). Full-scale DC or square wave is 0 dBFS, a
 * full-scale sine -3.01 dBFS (the plain RMS convention of numpy/torch
 * recipes, not AES17's sine-referenced one). -Infinity for silence.
 */
export function rmsDbfs(channels: readonly Float32Array[]): number {
  const r = rms(channels);
  return r === 0 ? -Infinity : 20 * Math.log10(r);
}

/**
 * Peak magnitude over all samples of all channels, linear (1 = full scale).
 * 0 for silence or no samples.
 *
 * @example peak([Float32Array.of(0.5, -2), Float32Array.of(1)]) // 2
 */
export function peak(channels: readonly Float32Array[]): number {
  let p = 0;
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) {
      const a = Math.abs(ch[i]);
      if (a > p) p = a;
    }
  }
  return p;
}

/**
 * Peak level in dBFS: 20 log10(peak). A sample of ±1 (full scale) is 0 dBFS;
 * above 0 dBFS the signal does not fit an integer format (see
 * {@link clippedSamples}). -Infinity for silence or no samples.
 *
 * @example peakDbfs([Float32Array.of(0.5, -2)]) // +6.02
 */
export function peakDbfs(channels: readonly Float32Array[]): number {
  return gainToDb(peak(channels));
}

/**
 * How many samples, over all channels, lie beyond full scale (|x| > 1): the
 * ones a 16-bit or 24-bit file could not hold. ±1 itself is in range. 0 for
 * silence or no samples.
 *
 * @example clippedSamples([Float32Array.of(1, -1.01, 3), Float32Array.of(-2)]) // 3
 */
export function clippedSamples(channels: readonly Float32Array[]): number {
  let n = 0;
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) if (Math.abs(ch[i]) > 1) n++;
  }
  return n;
}

/**
 * Linear gain that brings `channels` to `targetDbfs` RMS (one gain for all
 * channels, so their balance is kept): 10^(targetDbfs/20) / rms.
 * 1 for silence (nothing to scale), so callers never see Infinity or NaN.
 */
export function rmsGain(channels: readonly Float32Array[], targetDbfs: number): number {
  const r = rms(channels);
  return r === 0 ? 1 : 10 ** (targetDbfs / 20) / r;
}

/**
 * {@link rmsGain} from a signal's energy (sum of squares, see {@link energy}) and sample
 * count, for audio measured block by block: the same gain for the same energy.
 */
export function rmsGainOfEnergy(energySum: number, count: number, targetDbfs: number): number {
  const r = count === 0 ? 0 : Math.sqrt(energySum / count);
  return r === 0 ? 1 : 10 ** (targetDbfs / 20) / r;
}

/**
 * Scale all channels by one gain so their pooled RMS is `targetDbfs`
 * (default -14 dBFS, the Nat-HEAR level for source and noise). Returns new
 * arrays; the input is not modified. Silence (or no samples) is returned as
 * copies, unscaled. No clipping: peaks may exceed [-1, 1] (a -14 dBFS
 * signal with a crest factor above 14 dB does).
 *
 * @param targetDbfs RMS level in dBFS, see {@link rmsDbfs}.
 * @example const [x] = normalizeRms([speech]); // rmsDbfs([x]) ~ -14
 */
export function normalizeRms(channels: readonly Float32Array[], targetDbfs = -14): Float32Array[] {
  return scale(channels, rmsGain(channels, targetDbfs));
}

/** Copies of `channels` multiplied by `gain`. */
export function scale(channels: readonly Float32Array[], gain: number): Float32Array[] {
  return channels.map((ch) => {
    const out = new Float32Array(ch.length);
    for (let i = 0; i < ch.length; i++) out[i] = ch[i] * gain;
    return out;
  });
}

/** A linear amplitude factor in decibels, 20 log10(gain) (0.5 -> -6.02 dB, 0 -> -Infinity). */
export function gainToDb(gain: number): number {
  return 20 * Math.log10(gain);
}

/** Decibels to a linear amplitude factor, 10^(db/20) (-6.02 dB -> 0.5). */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}
