/**
 * Mel filterbanks, the two conventions earshot's front-ends need:
 * Kaldi's (HTK mel scale, triangles in mel space, unnormalised; AST, BEATs
 * and other fbank models) and Slaney's (librosa's default: linear below
 * 1 kHz, logarithmic above, triangles in Hz, area-normalised; Whisper).
 * Each returns a {@link MelFilterbank} over the `fftSize / 2 + 1` bins of a
 * real FFT, stored with each filter's non-zero range so applying it is cheap.
 */

/** Filters × FFT bins, row-major, with the non-zero range [start, end) of each row. */
export interface MelFilterbank {
  numBins: number;
  numFftBins: number;
  weights: Float64Array;
  start: Int32Array;
  end: Int32Array;
}

/** HTK / Kaldi mel: 1127 ln(1 + f / 700) (torchaudio kaldi `mel_scale`). */
export function melHtk(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

const SLANEY_F_SP = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;
const SLANEY_LOGSTEP = Math.log(6.4) / 27;

/** Slaney mel (librosa `hz_to_mel`, htk=False): f / (200/3) below 1 kHz, 15 + ln(f / 1000) / (ln 6.4 / 27) above. */
export function melSlaney(hz: number): number {
  return hz >= SLANEY_MIN_LOG_HZ ? SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOGSTEP : hz / SLANEY_F_SP;
}

/** Inverse of {@link melSlaney} (librosa `mel_to_hz`, htk=False). */
export function hzFromMelSlaney(mel: number): number {
  return mel >= SLANEY_MIN_LOG_MEL ? SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOGSTEP * (mel - SLANEY_MIN_LOG_MEL)) : SLANEY_F_SP * mel;
}

function withRanges(numBins: number, numFftBins: number, weights: Float64Array): MelFilterbank {
  const start = new Int32Array(numBins);
  const end = new Int32Array(numBins);
  for (let m = 0; m < numBins; m++) {
    let s = 0;
    let e = numFftBins;
    while (s < e && weights[m * numFftBins + s] === 0) s++;
    while (e > s && weights[m * numFftBins + e - 1] === 0) e--;
    start[m] = s;
    end[m] = e;
  }
  return { numBins, numFftBins, weights, start, end };
}

/**
 * Kaldi's mel banks (torchaudio.compliance.kaldi `get_mel_banks`, no VTLN
 * warp): `numBins` triangles equally spaced on the HTK mel scale between
 * `lowHz` and `highHz` (≤ 0 means Nyquist + highHz), evaluated at
 * k · sampleRateHz / fftSize for k < fftSize / 2; the Nyquist bin gets weight 0,
 * as torchaudio pads it.
 *
 * @example kaldiMelBanks({ numBins: 128, fftSize: 512, sampleRateHz: 16000 }) // AST
 */
export function kaldiMelBanks(opts: { numBins: number; fftSize: number; sampleRateHz: number; lowHz?: number; highHz?: number }): MelFilterbank {
  const { numBins, fftSize, sampleRateHz } = opts;
  const nyquist = sampleRateHz / 2;
  const lowHz = opts.lowHz ?? 20;
  const highHz = (opts.highHz ?? 0) <= 0 ? nyquist + (opts.highHz ?? 0) : (opts.highHz as number);
  if (!(numBins > 3 && lowHz >= 0 && lowHz < highHz && highHz <= nyquist)) {
    throw new RangeError(`kaldiMelBanks: need numBins > 3 and 0 <= lowHz < highHz <= Nyquist; got numBins=${numBins}, lowHz=${lowHz}, highHz=${highHz}`);
  }
  const numFftBins = fftSize / 2 + 1;
  const melLow = melHtk(lowHz);
  const delta = (melHtk(highHz) - melLow) / (numBins + 1);
  const weights = new Float64Array(numBins * numFftBins);
  for (let m = 0; m < numBins; m++) {
    const left = melLow + m * delta;
    const centre = left + delta;
    const right = centre + delta;
    for (let k = 0; k < fftSize / 2; k++) {
      const mel = melHtk((k * sampleRateHz) / fftSize);
      const w = Math.min((mel - left) / (centre - left), (right - mel) / (right - centre));
      if (w > 0) weights[m * numFftBins + k] = w;
    }
  }
  return withRanges(numBins, numFftBins, weights);
}

/**
 * Slaney-style mel filters, as librosa.filters.mel(sr, n_fft, n_mels) builds
 * them (htk=False, norm='slaney'): `numBins + 2` edges equally spaced on the
 * Slaney mel scale from `fminHz` to `fmaxHz`, triangles over the FFT bin
 * frequencies in Hz, each scaled by 2 / (its width in Hz). Whisper's filters
 * are this with (16000, 400, 80 or 128).
 *
 * @example slaneyMelFilters({ numBins: 80, fftSize: 400, sampleRateHz: 16000 }) // Whisper
 */
export function slaneyMelFilters(opts: { numBins: number; fftSize: number; sampleRateHz: number; fminHz?: number; fmaxHz?: number }): MelFilterbank {
  const { numBins, fftSize, sampleRateHz } = opts;
  const fmin = opts.fminHz ?? 0;
  const fmax = opts.fmaxHz ?? sampleRateHz / 2;
  const numFftBins = Math.floor(fftSize / 2) + 1;
  const melMin = melSlaney(fmin);
  const melStep = (melSlaney(fmax) - melMin) / (numBins + 1);
  const edges = Float64Array.from({ length: numBins + 2 }, (_, i) => hzFromMelSlaney(melMin + i * melStep));
  const weights = new Float64Array(numBins * numFftBins);
  for (let m = 0; m < numBins; m++) {
    const norm = 2 / (edges[m + 2] - edges[m]);
    for (let k = 0; k < numFftBins; k++) {
      const f = (k * sampleRateHz) / 2 / (numFftBins - 1);
      const lower = (f - edges[m]) / (edges[m + 1] - edges[m]);
      const upper = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
      const w = Math.min(lower, upper);
      if (w > 0) weights[m * numFftBins + k] = w * norm;
    }
  }
  return withRanges(numBins, numFftBins, weights);
}

/** Mel energy of bin `m`: the dot product of filter `m` with a power spectrum of `numFftBins` values. */
export function melEnergy(fb: MelFilterbank, m: number, power: Float64Array): number {
  let e = 0;
  const row = m * fb.numFftBins;
  for (let k = fb.start[m]; k < fb.end[m]; k++) e += fb.weights[row + k] * power[k];
  return e;
}
