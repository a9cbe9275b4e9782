import { requireCommonJs } from '../commonjs.ts';
import { Errors } from '../errors.ts';
import { butterworthBandpassPower, butterworthHighpassPower, fftSizeFor, filterZeroPhase } from './zeroPhase.ts';

const FFT = requireCommonJs<typeof import('fft.js')>('fft.js');

/**
 * Room-acoustic parameters of an impulse response (ISO 3382-1 in spirit), with
 * fixed, stated definitions so that earshot's rooms can be compared with an
 * independent reference (test/fixtures/room/make_room_reference.py computes the
 * same numbers with scipy):
 *
 * - Everything but `lfFraction` is measured on the IR band-limited above 50 Hz
 *   (4th-order Butterworth high-pass, zero phase).
 * - Multichannel IRs: energies are summed over channels.
 * - t0, the direct sound: the sample of largest energy.
 * - DRR: energy within ±2.5 ms of t0 over the energy after t0 + 2.5 ms.
 * - C50: energy from t0 − 2.5 ms to t0 + 50 ms over the energy after t0 + 50 ms.
 * - T20 / T30 / EDT: Schroeder backward integration from the IR's end (no noise
 *   compensation: meant for simulated, noiseless IRs), a least-squares line
 *   through −5..−25 dB / −5..−35 dB / 0..−10 dB of the decay curve (EDT from t0 on),
 *   extrapolated to 60 dB.
 * - Band T20: the same T20 after an octave band-pass (3rd-order Butterworth
 *   band-pass from fc/√2 to fc·√2, zero phase) at 125 Hz … 4 kHz (bands whose
 *   upper edge passes Nyquist are left out).
 * - lfFraction: the share of the IR's energy below 40 Hz (of the IR as given).
 */
export interface RoomAcoustics {
  c50Db: number;
  drrDb: number;
  /** null where the decay curve does not reach the fit's lower end. */
  t20S: number | null;
  t30S: number | null;
  edtS: number | null;
  bandT20S: { centreHz: number; t20S: number | null }[];
  lfFraction: number;
}

/** Octave-band centres where band RT60s are measured and walls are specified, Hz. */
export const OCTAVE_CENTRES_HZ = [125, 250, 500, 1000, 2000, 4000] as const;

const BAND_LIMIT_HZ = 50;
const DIRECT_HALF_WINDOW_S = 0.0025;
const C50_S = 0.05;
const LF_LIMIT_HZ = 40;

/**
 * Measure an IR (one Float32Array per channel) at `sampleRateHz`. Throws
 * `INVALID_OPTION` for an empty, silent or non-finite IR.
 *
 * @example
 * const { c50Db, drrDb, t20S } = measureRoomAcoustics(await simulateRir(opts), 16000);
 */
export function measureRoomAcoustics(ir: readonly Float32Array[], sampleRateHz: number): RoomAcoustics {
  checkIr(ir);
  const fs = sampleRateHz;
  const highpass = butterworthHighpassPower(4, BAND_LIMIT_HZ, fs);
  const bands = OCTAVE_CENTRES_HZ.filter((fc) => fc * Math.SQRT2 < fs / 2);
  const responses = [highpass, ...bands.map((fc) => butterworthBandpassPower(3, fc / Math.SQRT2, fc * Math.SQRT2, fs))];
  const filtered = ir.map((ch) => filterZeroPhase(ch, fs, responses));
  const energyOf = (r: number) => channelEnergy(filtered.map((f) => f[r]));
  const e = energyOf(0);
  let t0 = 0;
  for (let i = 1; i < e.length; i++) if (e[i] > e[t0]) t0 = i;
  const half = Math.round(DIRECT_HALF_WINDOW_S * fs);
  const c50 = Math.round(C50_S * fs);
  const sum = (from: number, to: number) => {
    let s = 0;
    for (let i = Math.max(0, from); i < Math.min(e.length, to); i++) s += e[i];
    return s;
  };
  const decay = schroederDb(e);
  return {
    c50Db: db(sum(t0 - half, t0 + c50) / sum(t0 + c50, e.length)),
    drrDb: db(sum(t0 - half, t0 + half + 1) / sum(t0 + half + 1, e.length)),
    t20S: decayTime(decay, fs, -5, -25),
    t30S: decayTime(decay, fs, -5, -35),
    edtS: decayTime(decay, fs, 0, -10, t0),
    bandT20S: bands.map((centreHz, b) => ({ centreHz, t20S: decayTime(schroederDb(energyOf(b + 1)), fs, -5, -25) })),
    lfFraction: lowFrequencyFraction(ir, fs, LF_LIMIT_HZ),
  };
}

/**
 * The share of an IR's energy below `limitHz` (all channels), from the spectrum of the
 * IR zero-padded to twice its length.
 */
export function lowFrequencyFraction(ir: readonly Float32Array[], sampleRateHz: number, limitHz = LF_LIMIT_HZ): number {
  checkIr(ir);
  const size = fftSizeFor(2 * ir[0].length);
  const fft = new FFT(size);
  const input = new Float64Array(size);
  const spec = fft.createComplexArray() as number[];
  let low = 0;
  let total = 0;
  for (const ch of ir) {
    input.fill(0);
    input.set(ch);
    fft.realTransform(spec, input);
    for (let b = 0; b <= size / 2; b++) {
      // Bins strictly inside (0, N/2) stand for their mirror image too.
      const p = (spec[2 * b] ** 2 + spec[2 * b + 1] ** 2) * (b === 0 || b === size / 2 ? 1 : 2);
      total += p;
      if ((b * sampleRateHz) / size < limitHz) low += p;
    }
  }
  return total > 0 ? low / total : 0;
}

/**
 * Level step of the energy envelope (above 50 Hz, channels summed) across time `atS`, dB:
 * the mean energy in [atS + gap, atS + gap + window) over that in [atS − gap − window, atS − gap),
 * each first compensated for the decay at `rt60S` (so a continuous exponential decay gives 0).
 * Used to check that a hybrid IR's late tail continues its early part.
 */
export function envelopeStepDb(ir: readonly Float32Array[], sampleRateHz: number, atS: number, rt60S: number, gapS = 0.008, windowS = 0.03): number {
  checkIr(ir);
  const fs = sampleRateHz;
  const e = channelEnergy(ir.map((ch) => filterZeroPhase(ch, fs, [butterworthHighpassPower(4, BAND_LIMIT_HZ, fs)])[0]));
  const delta = (6 * Math.LN10) / rt60S; // energy decay rate, 1/s: 60 dB per rt60S
  const mean = (fromS: number, toS: number) => {
    let s = 0;
    let k = 0;
    for (let i = Math.max(0, Math.round(fromS * fs)); i < Math.min(e.length, Math.round(toS * fs)); i++, k++) s += e[i] * Math.exp(delta * (i / fs - atS));
    return k > 0 ? s / k : 0;
  };
  return db(mean(atS + gapS, atS + gapS + windowS) / mean(atS - gapS - windowS, atS - gapS));
}

function checkIr(ir: readonly Float32Array[]): void {
  if (ir.length === 0 || ir[0].length === 0) throw new Errors.INVALID_OPTION('the impulse response is empty');
  let any = false;
  for (const ch of ir) {
    if (ch.length !== ir[0].length) throw new Errors.INVALID_OPTION('all channels of the impulse response must have the same length');
    for (const v of ch) {
      if (!Number.isFinite(v)) throw new Errors.INVALID_OPTION('the impulse response holds NaN or Inf samples');
      if (v !== 0) any = true;
    }
  }
  if (!any) throw new Errors.INVALID_OPTION('the impulse response is silent');
}

function channelEnergy(channels: readonly Float64Array[]): Float64Array {
  const e = new Float64Array(channels[0].length);
  for (const ch of channels) for (let i = 0; i < e.length; i++) e[i] += ch[i] * ch[i];
  return e;
}

// Schroeder's backward integral in dB relative to the total.
function schroederDb(e: Float64Array): Float64Array {
  const out = new Float64Array(e.length);
  let acc = 0;
  for (let i = e.length - 1; i >= 0; i--) {
    acc += e[i];
    out[i] = acc;
  }
  const total = out[0];
  for (let i = 0; i < out.length; i++) out[i] = db(out[i] / total);
  return out;
}

// −60 / slope of the least-squares line through the decay curve from its first sample (from
// `from` on) at or below hiDb to its last at or above loDb; null when the curve never falls to loDb.
function decayTime(edcDb: Float64Array, fs: number, hiDb: number, loDb: number, from = 0): number | null {
  let first = from;
  while (first < edcDb.length && edcDb[first] > hiDb) first++;
  let last = first;
  while (last + 1 < edcDb.length && edcDb[last + 1] >= loDb) last++;
  if (last + 1 >= edcDb.length || last - first < 2) return null;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  const count = last - first + 1;
  for (let i = first; i <= last; i++) {
    const t = i / fs;
    sx += t;
    sy += edcDb[i];
    sxx += t * t;
    sxy += t * edcDb[i];
  }
  const slope = (sxy - (sx * sy) / count) / (sxx - (sx * sx) / count);
  return slope < 0 ? -60 / slope : null;
}

function db(ratio: number): number {
  return 10 * Math.log10(ratio);
}
