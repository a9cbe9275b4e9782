/**
 * Signal level over multichannel audio: energy, RMS, dBFS, RMS normalisation.
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
  let e = 0;
  for (const ch of channels) {
    for (let i = 0; i < ch.length; i++) e += ch[i] * ch[i];
  }
  return e;
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
 * Linear gain that brings `channels` to `targetDbfs` RMS (one gain for all
 * channels, so their balance is kept): 10^(targetDbfs/20) / rms.
 * 1 for silence (nothing to scale), so callers never see Infinity or NaN.
 */
export function rmsGain(channels: readonly Float32Array[], targetDbfs: number): number {
  const r = rms(channels);
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

/** Decibels to a linear amplitude factor, 10^(db/20) (-6.02 dB -> 0.5). */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}
