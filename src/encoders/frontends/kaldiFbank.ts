import type { FeatureMatrix } from './featureMatrix.ts';
import { kaldiMelBanks, melEnergy } from './melFilters.ts';
import { createPowerSpectrum } from './powerSpectrum.ts';
import { KALDI_WINDOW_TYPES, kaldiWindow, type KaldiWindowType } from './windows.ts';
import { Errors } from '../../errors.ts';

/** Options of {@link createKaldiFbank}; names follow torchaudio.compliance.kaldi.fbank with units added. */
export interface KaldiFbankOptions {
  sampleRateHz: number;
  numMelBins: number;
  frameLengthMs: number;
  frameShiftMs: number;
  windowType: KaldiWindowType;
  preemphasis: number;
  removeDcOffset: boolean;
  lowFreqHz: number;
  /** ≤ 0: Nyquist plus this value (Kaldi's convention; 0 is Nyquist). */
  highFreqHz: number;
  roundToPowerOfTwo: boolean;
  /** Multiplies the waveform first: 1 for AST (float audio in [-1, 1]), 32768 for models fed int16-range audio (BEATs). */
  waveformScale: number;
}

/** torchaudio's kaldi.fbank defaults (dither is always 0 here: earshot is deterministic; no energy column, snip_edges). */
export const KALDI_FBANK_DEFAULTS: Readonly<Omit<KaldiFbankOptions, 'sampleRateHz' | 'numMelBins'>> = Object.freeze({
  frameLengthMs: 25,
  frameShiftMs: 10,
  windowType: 'povey',
  preemphasis: 0.97,
  removeDcOffset: true,
  lowFreqHz: 20,
  highFreqHz: 0,
  roundToPowerOfTwo: true,
  waveformScale: 1,
});

/** Kaldi's floor under mel energies before the log: float32 machine epsilon (torchaudio's EPSILON). */
export const KALDI_LOG_FLOOR = 1.1920928955078125e-7;

/** Frame length and shift in samples, truncated as torchaudio does (int(sr · ms · 0.001)). */
export function kaldiFrameSamples(opts: Pick<KaldiFbankOptions, 'sampleRateHz' | 'frameLengthMs' | 'frameShiftMs'>): { length: number; shift: number } {
  return { length: Math.trunc(opts.sampleRateHz * opts.frameLengthMs * 0.001), shift: Math.trunc(opts.sampleRateHz * opts.frameShiftMs * 0.001) };
}

/** Frames Kaldi makes from `numSamples` with snip_edges: 1 + ⌊(n − length) / shift⌋, or 0 when shorter than one frame. */
export function kaldiFrameCount(numSamples: number, frame: { length: number; shift: number }): number {
  return numSamples < frame.length ? 0 : 1 + Math.floor((numSamples - frame.length) / frame.shift);
}

function validate(o: KaldiFbankOptions): void {
  const bad = (msg: string) => new Errors.INVALID_OPTION(`kaldi fbank: ${msg}`);
  if (!(o.sampleRateHz > 0)) throw bad(`sampleRateHz must be > 0; got ${o.sampleRateHz}`);
  if (!Number.isInteger(o.numMelBins) || o.numMelBins <= 3) throw bad(`numMelBins must be an integer > 3; got ${o.numMelBins}`);
  if (!KALDI_WINDOW_TYPES.includes(o.windowType)) throw bad(`windowType must be one of ${KALDI_WINDOW_TYPES.join(', ')}; got "${o.windowType}"`);
  if (!(o.preemphasis >= 0 && o.preemphasis <= 1)) throw bad(`preemphasis must be in [0, 1]; got ${o.preemphasis}`);
  const { length, shift } = kaldiFrameSamples(o);
  if (length < 2 || shift < 1) throw bad(`frameLengthMs ${o.frameLengthMs} and frameShiftMs ${o.frameShiftMs} give ${length} and ${shift} samples; need >= 2 and >= 1`);
}

/**
 * Log mel filterbank features computed as torchaudio.compliance.kaldi.fbank
 * computes them (Kaldi's compute-fbank-feats): frames of `frameLengthMs` every
 * `frameShiftMs` (snip_edges: only whole frames), each with its DC offset
 * removed, pre-emphasised (x[n] − 0.97·x[n−1], the first sample against
 * itself), windowed, zero-padded to the next power of two (512 at 16 kHz),
 * power spectrum, Kaldi mel banks, then ln(max(E, 1.19e-7)).
 *
 * Returns frames × numMelBins. Input shorter than one frame gives 0 frames;
 * silence gives ln(1.19e-7) ≈ −15.94 everywhere. No dither, ever.
 * AST calls it with windowType 'hanning', 128 bins, float audio (scale 1).
 *
 * @example
 * const fbank = createKaldiFbank({ sampleRateHz: 16000, numMelBins: 128, windowType: 'hanning' });
 * const { rows, cols, data } = fbank(samples); // rows frames of 128 log energies
 */
export function createKaldiFbank(options: Partial<KaldiFbankOptions> & Pick<KaldiFbankOptions, 'sampleRateHz' | 'numMelBins'>): (samples: Float32Array) => FeatureMatrix {
  const o: KaldiFbankOptions = { ...KALDI_FBANK_DEFAULTS, ...options };
  validate(o);
  const frame = kaldiFrameSamples(o);
  let fftSize = frame.length;
  if (o.roundToPowerOfTwo) while ((fftSize & (fftSize - 1)) !== 0) fftSize++;
  if (fftSize % 2 !== 0) throw new Errors.INVALID_OPTION(`kaldi fbank: frame of ${frame.length} samples is odd; set roundToPowerOfTwo`);
  const window = kaldiWindow(o.windowType, frame.length);
  const banks = kaldiMelBanks({ numBins: o.numMelBins, fftSize, sampleRateHz: o.sampleRateHz, lowHz: o.lowFreqHz, highHz: o.highFreqHz });
  const power = createPowerSpectrum(fftSize);
  const buf = new Float64Array(fftSize);
  const spectrum = new Float64Array(fftSize / 2 + 1);
  return (samples) => {
    const rows = kaldiFrameCount(samples.length, frame);
    const data = new Float32Array(rows * o.numMelBins);
    for (let f = 0; f < rows; f++) {
      const at = f * frame.shift;
      let mean = 0;
      for (let n = 0; n < frame.length; n++) mean += (buf[n] = samples[at + n] * o.waveformScale);
      mean = o.removeDcOffset ? mean / frame.length : 0;
      // Pre-emphasis runs backwards so each sample still sees its unemphasised predecessor.
      for (let n = frame.length - 1; n >= 0; n--) {
        const prev = buf[n > 0 ? n - 1 : 0] - mean;
        buf[n] = (buf[n] - mean - o.preemphasis * prev) * window[n];
      }
      buf.fill(0, frame.length);
      power(buf, spectrum);
      for (let m = 0; m < o.numMelBins; m++) data[f * o.numMelBins + m] = Math.log(Math.max(melEnergy(banks, m, spectrum), KALDI_LOG_FLOOR));
    }
    return { rows, cols: o.numMelBins, data };
  };
}
