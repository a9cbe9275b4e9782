import { requireCommonJs } from '../../commonjs.ts';

const FFT = requireCommonJs<typeof import('fft.js')>('fft.js');

/**
 * Power spectra |X_k|² (k = 0 … size/2) of real frames, in float64, on
 * fft.js. Power-of-two sizes (Kaldi's 512) use fft.js's real transform
 * directly; any other size (Whisper's 400) uses Bluestein's chirp-z
 * algorithm on a power-of-two complex fft.js transform of at least
 * 2·size − 1 points, which computes the exact size-point DFT (Rabiner,
 * Schafer and Rader, "The chirp z-transform algorithm", 1969).
 */
export type PowerSpectrum = (frame: Float64Array, out: Float64Array) => void;

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * A reusable power-spectrum function for frames of `size` samples; it
 * writes `size / 2 + 1` values (floor) into `out`. Not re-entrant: each
 * function owns its scratch buffers.
 *
 * @example
 * const power = createPowerSpectrum(400);
 * power(frame, out); // out[k] = |sum_n frame[n] e^{-2πi nk/400}|², k = 0..200
 */
export function createPowerSpectrum(size: number): PowerSpectrum {
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`createPowerSpectrum: size must be an integer >= 2; got ${size}`);
  return (size & (size - 1)) === 0 ? powerOfTwo(size) : bluestein(size);
}

function powerOfTwo(size: number): PowerSpectrum {
  const fft = new FFT(size);
  const spectrum = fft.createComplexArray() as number[];
  return (frame, out) => {
    fft.realTransform(spectrum, frame);
    for (let k = 0; k <= size / 2; k++) out[k] = spectrum[2 * k] ** 2 + spectrum[2 * k + 1] ** 2;
  };
}

function bluestein(size: number): PowerSpectrum {
  const m = nextPowerOfTwo(2 * size - 1);
  const fft = new FFT(m);
  // Chirp w_n = exp(-i pi n² / size); n² mod 2·size keeps the angle exact for large n.
  const cos = new Float64Array(size);
  const sin = new Float64Array(size);
  for (let n = 0; n < size; n++) {
    const angle = (Math.PI * ((n * n) % (2 * size))) / size;
    cos[n] = Math.cos(angle);
    sin[n] = -Math.sin(angle);
  }
  // B = FFT of conj(w) at lags -(size-1) … size-1, wrapped around m.
  const b = new Float64Array(2 * m);
  for (let n = 0; n < size; n++) {
    b[2 * n] = cos[n];
    b[2 * n + 1] = -sin[n];
    if (n > 0) {
      b[2 * (m - n)] = cos[n];
      b[2 * (m - n) + 1] = -sin[n];
    }
  }
  const bHat = new Float64Array(2 * m);
  fft.transform(bHat, b);
  const a = new Float64Array(2 * m);
  const aHat = new Float64Array(2 * m);
  const conv = new Float64Array(2 * m);
  const half = Math.floor(size / 2);
  return (frame, out) => {
    a.fill(0);
    for (let n = 0; n < size; n++) {
      a[2 * n] = frame[n] * cos[n];
      a[2 * n + 1] = frame[n] * sin[n];
    }
    fft.transform(aHat, a);
    for (let k = 0; k < m; k++) {
      const re = aHat[2 * k] * bHat[2 * k] - aHat[2 * k + 1] * bHat[2 * k + 1];
      const im = aHat[2 * k] * bHat[2 * k + 1] + aHat[2 * k + 1] * bHat[2 * k];
      aHat[2 * k] = re;
      aHat[2 * k + 1] = im;
    }
    fft.inverseTransform(conv, aHat);
    // X_k = w_k · conv_k; |w_k| = 1, so the power is |conv_k|².
    for (let k = 0; k <= half; k++) out[k] = conv[2 * k] ** 2 + conv[2 * k + 1] ** 2;
  };
}
