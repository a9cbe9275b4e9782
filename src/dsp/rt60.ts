import { Errors } from '../errors.ts';

/** Result of `measureRt60`. */
export interface Rt60Measurement {
  /** Reverberation time, seconds: the time for a 60 dB fall, extrapolated from the fit. */
  rt60S: number;
  /** T30 fits −5..−35 dB of the decay curve, T20 fits −5..−25 dB (when the decay is not clean enough for T30). */
  method: 'T30' | 'T20';
  /** Range of the energy decay curve that was fitted, dB. */
  fitRangeDb: [number, number];
  /** Slope of the fitted line, dB/s (negative). */
  slopeDbPerS: number;
  /** Correlation coefficient of the fit (−1 is a perfect line); ISO 3382 calls |r| < 0.995 suspect. */
  correlation: number;
  /** Early decay time: 0..−10 dB fit extrapolated to 60 dB, seconds. */
  edtS: number;
  /** Peak (10 ms blocks) over the noise floor (last 10 % of the IR), dB. */
  dynamicRangeDb: number;
}

const BLOCK_S = 0.01;

/**
 * Reverberation time of an impulse response by Schroeder backward integration
 * (M. R. Schroeder, "New method of measuring reverberation time", JASA 37, 1965)
 * and a least-squares line through the energy decay curve (ISO 3382-1):
 * −5..−35 dB (T30) when the IR has at least 45 dB of dynamic range, else
 * −5..−25 dB (T20, needs 35 dB), extrapolated to 60 dB.
 *
 * Multichannel IRs (binaural, ambisonics, arrays) are measured on the energy
 * averaged over channels (one decay curve for the whole receiver).
 * Noise handling, after Chu (1978) and Lundeby et al. (1995) in simplified form:
 * the noise floor (mean energy of the last 10 % of the IR) is subtracted, the
 * integration stops where the 10 ms envelope meets the floor + 5 dB, and the
 * energy beyond is added back assuming the fitted decay continues.
 *
 * Throws `INVALID_OPTION` for silence, non-finite samples or a decay too short
 * to measure (under 35 dB between the peak and the floor).
 *
 * @example
 * measureRt60(ir, 16000); // { rt60S: 0.61, method: 'T30', ... }
 */
export function measureRt60(ir: Float32Array | readonly Float32Array[], sampleRateHz: number): Rt60Measurement {
  const channels = ir instanceof Float32Array ? [ir] : [...ir];
  if (channels.length === 0 || channels[0].length === 0) throw new Errors.INVALID_OPTION('measureRt60: the impulse response is empty');
  if (!(sampleRateHz > 0)) throw new Errors.INVALID_OPTION(`measureRt60: sampleRateHz must be positive, got ${sampleRateHz}`);
  const n = channels[0].length;
  const e = new Float64Array(n);
  for (const ch of channels) {
    if (ch.length !== n) throw new Errors.INVALID_OPTION('measureRt60: all channels must have the same length');
    for (let i = 0; i < n; i++) e[i] += (ch[i] * ch[i]) / channels.length;
  }
  const block = Math.max(1, Math.round(BLOCK_S * sampleRateHz));
  const blocks: number[] = [];
  for (let i = 0; i + block <= n || (i === 0 && n > 0); i += block) blocks.push(mean(e, i, Math.min(n, i + block)));
  const peak = Math.max(...blocks);
  if (!Number.isFinite(peak)) throw new Errors.INVALID_OPTION('measureRt60: the impulse response holds NaN or Inf samples');
  if (peak <= 0) throw new Errors.INVALID_OPTION('measureRt60: the impulse response is silent');
  const floor = mean(e, Math.floor(0.9 * n), n);
  const dynamicRangeDb = floor > 0 ? 10 * Math.log10(peak / floor) : Infinity;
  if (dynamicRangeDb < 35) {
    throw new Errors.INVALID_OPTION(
      `measureRt60: the decay spans only ${dynamicRangeDb.toFixed(1)} dB above the noise floor; T20 needs 35 dB (a longer or cleaner impulse response)`,
    );
  }
  const method = dynamicRangeDb >= 45 ? 'T30' : 'T20';
  const endDb = method === 'T30' ? -35 : -25;
  // Integrate up to where the envelope meets the floor + 5 dB (after the peak).
  const peakBlock = blocks.indexOf(peak);
  let last = blocks.length - 1;
  while (last > peakBlock && blocks[last] <= floor * 10 ** 0.5) last--;
  const end = Math.min(n, (last + 1) * block);
  const tailPower = Math.max(0, blocks[last] - floor);

  let fit = fitDecay(e, floor, end, 0, sampleRateHz, -5, endDb);
  // Energy beyond `end` if the fitted decay went on: P·τ with τ = 10 / (|slope|·ln 10) seconds.
  const tau = (s: number): number => (s < 0 ? 10 / (-s * Math.LN10) : 0);
  fit = fitDecay(e, floor, end, tailPower * tau(fit.slope) * sampleRateHz, sampleRateHz, -5, endDb);
  const edt = fitDecay(e, floor, end, tailPower * tau(fit.slope) * sampleRateHz, sampleRateHz, 0, -10);
  return {
    rt60S: -60 / fit.slope,
    method,
    fitRangeDb: [-5, endDb],
    slopeDbPerS: fit.slope,
    correlation: fit.r,
    edtS: -60 / edt.slope,
    dynamicRangeDb,
  };
}

// Schroeder curve of (e − floor) over [0, end) plus `extra` energy beyond, and the line through hiDb..loDb of it.
function fitDecay(e: Float64Array, floor: number, end: number, extra: number, fs: number, hiDb: number, loDb: number): { slope: number; r: number } {
  const edc = new Float64Array(end);
  let acc = extra;
  for (let i = end - 1; i >= 0; i--) {
    acc += e[i] - floor;
    edc[i] = acc;
  }
  const total = edc[0];
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let count = 0;
  let started = false;
  for (let i = 0; i < end; i++) {
    const db = 10 * Math.log10(Math.max(edc[i], 1e-300) / total);
    if (!started && db > hiDb) continue;
    started = true;
    if (db < loDb) break;
    const t = i / fs;
    sx += t;
    sy += db;
    sxx += t * t;
    sxy += t * db;
    syy += db * db;
    count++;
  }
  if (count < 2) throw new Errors.INVALID_OPTION(`measureRt60: the decay curve has too few samples between ${hiDb} and ${loDb} dB`);
  const cov = sxy - (sx * sy) / count;
  const vx = sxx - (sx * sx) / count;
  const vy = syy - (sy * sy) / count;
  return { slope: cov / vx, r: vy > 0 ? cov / Math.sqrt(vx * vy) : -1 };
}

function mean(x: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i];
  return to > from ? s / (to - from) : 0;
}
