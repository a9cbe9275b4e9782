import type { FeatureMatrix } from './featureMatrix.ts';
import { melEnergy, slaneyMelFilters } from './melFilters.ts';
import { createPowerSpectrum } from './powerSpectrum.ts';
import { hannWindow } from './windows.ts';
import { Errors } from '../../errors.ts';

/** Whisper's sample rate (its STFT is fixed: 400-point frames of 25 ms every 160 samples, 10 ms). */
export const WHISPER_SAMPLE_RATE_HZ = 16000;
/** Whisper's STFT frame and FFT size, samples. */
export const WHISPER_N_FFT = 400;
/** Whisper's STFT hop, samples. */
export const WHISPER_HOP = 160;

/** Options of {@link createWhisperLogMel}. */
export interface WhisperLogMelOptions {
  numMelBins: 80 | 128;
  /** Audio is zero-padded or cut to this many seconds first (Whisper: 30 → 3000 frames). */
  chunkS: number;
}

/**
 * Whisper's log-Mel spectrogram (openai/whisper `log_mel_spectrogram` after
 * `pad_or_trim`, the same as transformers' WhisperFeatureExtractor): the
 * 16 kHz audio is zero-padded or cut to `chunkS` seconds, reflect-padded by
 * 200 samples at both ends (torch.stft center=True), framed every 160
 * samples with a periodic 400-point Hann window, |STFT|² with the last frame
 * dropped, Slaney mel filters (librosa's), then log10(max(E, 1e-10)), floored
 * at (its maximum − 8), and mapped by (x + 4) / 4.
 *
 * Returns numMelBins × frames (mel-major, the [B, 80, 3000] layout Whisper
 * takes). The floor is relative to the loudest bin, so silence (and the
 * padding) comes out 8 units (80 dB) below it; all-zero audio gives −1.5
 * everywhere. Frames that see only zeros skip the FFT.
 *
 * @example
 * const logMel = createWhisperLogMel({ numMelBins: 80, chunkS: 30 });
 * const { rows, cols } = logMel(samples); // 80 × 3000
 */
export function createWhisperLogMel(options: WhisperLogMelOptions): (samples: Float32Array) => FeatureMatrix {
  const { numMelBins, chunkS } = options;
  if (numMelBins !== 80 && numMelBins !== 128) throw new Errors.INVALID_OPTION(`whisper log-mel: numMelBins must be 80 or 128; got ${numMelBins}`);
  const chunkSamples = Math.round(chunkS * WHISPER_SAMPLE_RATE_HZ);
  if (!(chunkSamples >= WHISPER_N_FFT)) throw new Errors.INVALID_OPTION(`whisper log-mel: chunkS must be at least ${WHISPER_N_FFT / WHISPER_SAMPLE_RATE_HZ} s; got ${chunkS}`);
  const frames = Math.floor(chunkSamples / WHISPER_HOP);
  const filters = slaneyMelFilters({ numBins: numMelBins, fftSize: WHISPER_N_FFT, sampleRateHz: WHISPER_SAMPLE_RATE_HZ });
  const window = hannWindow(WHISPER_N_FFT, true);
  const power = createPowerSpectrum(WHISPER_N_FFT);
  const buf = new Float64Array(WHISPER_N_FFT);
  const spectrum = new Float64Array(WHISPER_N_FFT / 2 + 1);
  const half = WHISPER_N_FFT / 2;
  return (samples) => {
    const n = Math.min(samples.length, chunkSamples);
    // torch.stft(center=True, pad_mode='reflect') over the padded chunk: index j < 0 reads -j, j >= L reads 2(L-1) - j.
    const at = (j: number) => {
      const i = j < 0 ? -j : j >= chunkSamples ? 2 * (chunkSamples - 1) - j : j;
      return i < n ? samples[i] : 0;
    };
    const out = new Float32Array(numMelBins * frames);
    const logs = new Float64Array(numMelBins * frames);
    let max = -Infinity;
    for (let f = 0; f < frames; f++) {
      const start = f * WHISPER_HOP - half;
      let silent = true;
      for (let k = 0; k < WHISPER_N_FFT; k++) {
        buf[k] = at(start + k) * window[k];
        if (buf[k] !== 0) silent = false;
      }
      if (silent) spectrum.fill(0);
      else power(buf, spectrum);
      for (let m = 0; m < numMelBins; m++) {
        const v = Math.log10(Math.max(melEnergy(filters, m, spectrum), 1e-10));
        logs[m * frames + f] = v;
        if (v > max) max = v;
      }
    }
    const floor = max - 8;
    for (let i = 0; i < logs.length; i++) out[i] = (Math.max(logs[i], floor) + 4) / 4;
    return { rows: numMelBins, cols: frames, data: out };
  };
}
