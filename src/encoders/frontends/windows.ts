/**
 * Analysis windows for the front-ends, in float64. Formulas as torch and
 * torchaudio.compliance.kaldi define them (`_feature_window_function`), so the
 * features match the reference implementations sample for sample.
 */

/** The window types torchaudio's Kaldi front-end offers (AST uses 'hanning'; Kaldi's default is 'povey'). */
export type KaldiWindowType = 'hanning' | 'povey' | 'hamming' | 'rectangular' | 'blackman';

/** Every {@link KaldiWindowType}, for validation and error messages. */
export const KALDI_WINDOW_TYPES: readonly KaldiWindowType[] = ['hanning', 'povey', 'hamming', 'rectangular', 'blackman'];

/**
 * A Hann window of `length` samples: `0.5 - 0.5 cos(2 pi n / M)` with
 * M = length (periodic, torch.hann_window's default, as Whisper's STFT uses)
 * or M = length - 1 (symmetric, `periodic=False`, as Kaldi's 'hanning').
 *
 * @example hannWindow(400, true) // Whisper's STFT window
 */
export function hannWindow(length: number, periodic: boolean): Float64Array {
  const m = periodic ? length : length - 1;
  const w = new Float64Array(length);
  if (m === 0) return w.fill(1);
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / m);
  return w;
}

/**
 * A Kaldi window (torchaudio.compliance.kaldi): 'hanning' is the symmetric
 * Hann window, 'povey' that window raised to 0.85 (zero at both edges),
 * 'hamming' 0.54 - 0.46 cos, 'blackman' Kaldi's Blackman with coefficient 0.42.
 *
 * @example kaldiWindow('hanning', 400) // AST's 25 ms window at 16 kHz
 */
export function kaldiWindow(type: KaldiWindowType, length: number): Float64Array {
  const a = (2 * Math.PI) / (length - 1);
  switch (type) {
    case 'hanning':
      return hannWindow(length, false);
    case 'povey':
      return hannWindow(length, false).map((v) => Math.pow(v, 0.85));
    case 'hamming':
      return Float64Array.from({ length }, (_, n) => 0.54 - 0.46 * Math.cos(a * n));
    case 'rectangular':
      return new Float64Array(length).fill(1);
    case 'blackman':
      return Float64Array.from({ length }, (_, n) => 0.42 - 0.5 * Math.cos(a * n) + 0.08 * Math.cos(2 * a * n));
  }
}
