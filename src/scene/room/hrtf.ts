import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { resampleChannels } from '../../audio/resample.ts';
import { Errors } from '../../errors.ts';
import { PACKAGE_ROOT } from '../../paths.ts';
import { readHrtfTable } from './hrtfTable.ts';
import { convolveTaps16, fractionalDelayKernel, FRACTIONAL_DELAY_HALF_TAPS } from './ism.ts';
import { cachedLoad } from '../../cachedLoad.ts';
import { addSquares } from '../../dsp/level.ts';

/** The shipped KEMAR HRTF (MIT, normal pinna; SOFA SimpleFreeFieldHRIR, 710 directions at 1.4 m, 44.1 kHz). */
export const KEMAR_SOFA_PATH = join(PACKAGE_ROOT, 'rirs/hrtf/mit_kemar_normal_pinna.sofa');

/**
 * A set of head-related impulse responses at one sample rate.
 * Directions use the SOFA convention, which earshot shares: azimuth
 * counterclockwise from the front (+90° = left), relative to the head centre.
 * Ear 0 is the LEFT ear, ear 1 the right. The IRs are scaled so that the mean
 * energy over all directions and both ears is 1 (a diffuse-field level of 0 dB);
 * their own onset (about 0.7 ms in the KEMAR set) is kept.
 */
export interface Hrtf {
  sampleRateHz: number;
  /** Number of directions. */
  count: number;
  /** Taps per IR. */
  taps: number;
  /** Unit vectors (x front, y left, z up), 3 per direction. */
  directions: Float64Array;
  /** IR of direction i, ear e, tap n at `ir[(2 * i + e) * taps + n]`. */
  ir: Float32Array;
  /**
   * Time of arrival of direction i at ear e, in samples at `sampleRateHz`, at
   * `onsetsSamples[2 * i + e]`: where the measured IR first reaches 10% of its
   * peak magnitude (linear interpolation between the samples at the file's own rate).
   * The difference between the ears is the interaural time difference.
   */
  onsetsSamples: Float64Array;
}

const cache = new Map<string, Promise<Hrtf>>();
type H5Dataset = InstanceType<typeof import('h5wasm/node').default.Dataset>;

/** The rates the shipped KEMAR set also comes in already resampled (rirs/hrtf/make-kemar-tables.ts writes them). */
export const KEMAR_TABLE_RATES: readonly number[] = [16000, 48000];

/** Where the shipped KEMAR set resampled to `sampleRateHz` lies. */
export function kemarTablePath(sampleRateHz: number): string {
  return join(PACKAGE_ROOT, `rirs/hrtf/kemar-${sampleRateHz}.hrtf.br`);
}

/**
 * The HRTF set of a SOFA SimpleFreeFieldHRIR file at `sampleRateHz`. Loaded once
 * per file and rate, then served from memory. The shipped KEMAR set at 16 or
 * 48 kHz is read from its table (milliseconds); any other file or rate is read
 * with h5wasm and resampled with libsamplerate, best quality (about 2 s).
 *
 * @example
 * const hrtf = await loadHrtf(16000); // KEMAR, 710 directions, 186 taps
 */
export function loadHrtf(sampleRateHz: number, sofaPath: string = KEMAR_SOFA_PATH): Promise<Hrtf> {
  const key = `${sofaPath}@${sampleRateHz}`;
  const shipped = sofaPath === KEMAR_SOFA_PATH && KEMAR_TABLE_RATES.includes(sampleRateHz);
  return cachedLoad(cache, key, () => (shipped ? readHrtfTable(kemarTablePath(sampleRateHz)) : hrtfFromSofa(sofaPath, sampleRateHz)).then((hrtf) => (gridOf(hrtf), hrtf)));
}

/**
 * Write the left (`out[0]`) and right (`out[1]`) HRIRs for the unit vector
 * (ux, uy, uz) into the caller's scratch (`hrtf.taps` samples each), interpolated
 * between the measured directions around it.
 *
 * Bilinear on the elevation rings: the two measured rings around the elevation,
 * and on each ring the two measured azimuths around the azimuth, so up to four
 * directions with weights summing to 1. Each ear's onset (`onsetsSamples`, which
 * carries the interaural time difference) is interpolated with the same weights,
 * and every neighbour's HRIR is shifted by the fractional difference between that
 * onset and its own before the mix, so neighbours with different delays add in
 * time instead of comb-filtering (arrival-time correction: M. Matsumoto et al.,
 * "Effect of arrival time correction on the accuracy of binaural impulse
 * response interpolation", JAES 52(1/2), 2004). The shifts use the 16-tap
 * windowed sinc of `fractionalDelayKernel`, precomputed at load for 8 sub-sample
 * phases and interpolated linearly between them (which loses at most 0.14 dB up
 * to 0.9 × Nyquist). Finally each ear is scaled to the weighted mean of its
 * neighbours' energies: where their spectra differ (pinna notches move with
 * direction) the aligned mix loses a fraction of a dB midway; scaled, loudness
 * and level difference move monotonically from one measured direction to the next.
 *
 * At a measured direction the result is that direction's HRIR. Elevations below
 * the lowest measured ring (−40° for KEMAR) take that ring's responses (held, not
 * extrapolated; see `elevationRangeDeg`), and likewise above the highest ring.
 * The mix is in double precision, one pass over a table that keeps each IR's phases side by side
 * (rounded to float32 once, at the end). About 20 × `taps` multiply-adds a call; the rings are found
 * by a short scan and a binary search.
 *
 * @example
 * const pair: [Float32Array, Float32Array] = [new Float32Array(hrtf.taps), new Float32Array(hrtf.taps)];
 * hrirPair(hrtf, Math.SQRT1_2, Math.SQRT1_2, 0, pair); // 45° to the left, between the 40° and 50° measurements
 */
export function hrirPair(hrtf: Hrtf, ux: number, uy: number, uz: number, out: readonly [Float32Array, Float32Array]): void {
  const T = hrtf.taps;
  if (PAIR_SCRATCH.length < 2 * T) PAIR_SCRATCH = new Float64Array(2 * T);
  hrirPairUnscaled(hrtf, ux, uy, uz, PAIR_SCRATCH, 0, PAIR_SCRATCH, T, PAIR_GAINS);
  for (let ear = 0; ear < 2; ear++) {
    const y = out[ear];
    const g = PAIR_GAINS[ear];
    const at = ear * T;
    for (let n = 0; n < T; n++) y[n] = g * PAIR_SCRATCH[at + n];
  }
}

let PAIR_SCRATCH = new Float64Array(0);
const PAIR_GAINS = new Float64Array(2);

/**
 * `hrirPair` before its energy scaling, in double precision: the left ear's mix into
 * `left[leftAt ..]`, the right's into `right[rightAt ..]` (`hrtf.taps` samples each), and
 * the gains that scale them to the neighbours' weighted mean energies into `gains[0]`, `gains[1]`.
 * For callers that fold the gain into their own amplitudes.
 */
export function hrirPairUnscaled(
  hrtf: Hrtf,
  ux: number,
  uy: number,
  uz: number,
  left: Float64Array,
  leftAt: number,
  right: Float64Array,
  rightAt: number,
  gains: Float64Array,
): void {
  const g = gridOf(hrtf);
  const el = Math.atan2(uz, Math.sqrt(ux * ux + uy * uy));
  const az = azimuthOf(ux, uy);
  const n = g.ringElRad.length;
  let r1 = 0;
  while (r1 < n && g.ringElRad[r1] <= el) r1++;
  const r0 = Math.max(0, r1 - 1);
  const v = r1 === 0 || r1 === n ? 0 : (el - g.ringElRad[r0]) / (g.ringElRad[r1] - g.ringElRad[r0]);
  ringNeighbours(g, r0, az, 1 - v, 0);
  ringNeighbours(g, Math.min(r1, n - 1), az, v, 2);
  const T = hrtf.taps;
  for (let ear = 0; ear < 2; ear++) {
    let onset = 0;
    let energy = 0;
    for (let k = 0; k < 4; k++) {
      onset += NEIGHBOUR_WEIGHT[k] * hrtf.onsetsSamples[2 * NEIGHBOUR[k] + ear];
      energy += NEIGHBOUR_WEIGHT[k] * g.energy[2 * NEIGHBOUR[k] + ear];
    }
    const y = ear === 0 ? left : right;
    const y0 = ear === 0 ? leftAt : rightAt;
    // Each neighbour k delayed by (onset − own onset) = m whole samples + phase p/PHASES + λ/PHASES:
    // λ-weighted mix of its rows delayed by p and p + 1 phases, read from BASE[k] on (m included).
    // The onset mix may miss a measured direction's own onset by rounding: a hair below a phase counts as on it.
    let padded = true;
    for (let k = 0; k < 4; k++) {
      const w = NEIGHBOUR_WEIGHT[k];
      const x = (onset - hrtf.onsetsSamples[2 * NEIGHBOUR[k] + ear]) * PHASES;
      const q = Math.floor(x + 1e-9);
      const lambda = x - q;
      const m = Math.floor(q / PHASES);
      const p = q - m * PHASES;
      GAIN_A[k] = w * (1 - lambda);
      GAIN_B[k] = w * lambda;
      SHIFT[k] = m;
      BASE[k] = g.rowAt(2 * NEIGHBOUR[k] + ear, p) - m;
      if (w !== 0 && Math.abs(m) > g.pad) padded = false;
    }
    let mixed = 0;
    if (padded) {
      // One pass over the taps: the table's zero margins stand for the samples outside each IR.
      // A neighbour without weight (its shift unchecked) reads a weighted neighbour's rows, times zero.
      let weighted = 0;
      while (NEIGHBOUR_WEIGHT[weighted] === 0) weighted++;
      for (let k = 0; k < 4; k++) if (NEIGHBOUR_WEIGHT[k] === 0) BASE[k] = BASE[weighted];
      mixed = mixRows(g.table, g.stride, T, y, y0);
    } else {
      y.fill(0, y0, y0 + T);
      for (let k = 0; k < 4; k++) {
        if (NEIGHBOUR_WEIGHT[k] === 0) continue;
        addShifted(y, y0, g.table, BASE[k] + SHIFT[k], g.stride, T, SHIFT[k], GAIN_A[k], GAIN_B[k]);
      }
      for (let i = y0; i < y0 + T; i++) mixed += y[i] * y[i];
    }
    gains[ear] = mixed > 0 ? Math.sqrt(energy / mixed) : 1;
  }
}

// hrirPairUnscaled's one pass over the taps (the four neighbours' rows from BASE, weighted by GAIN_A and GAIN_B) into
// y[y0 ..]; returns the mix's energy. A function of its own: inlined, it made hrirPairUnscaled slow to compile, which
// a one-core render pays for (the compiler shares the core).
function mixRows(tab: Float32Array, S: number, T: number, y: Float64Array, y0: number): number {
  const b0 = BASE[0], b1 = BASE[1], b2 = BASE[2], b3 = BASE[3];
  const a0 = GAIN_A[0], a1 = GAIN_A[1], a2 = GAIN_A[2], a3 = GAIN_A[3];
  const c0 = GAIN_B[0], c1 = GAIN_B[1], c2 = GAIN_B[2], c3 = GAIN_B[3];
  let mixed = 0;
  for (let n = 0; n < T; n++) {
    const v =
      a0 * tab[b0 + n] + c0 * tab[b0 + S + n] + (a1 * tab[b1 + n] + c1 * tab[b1 + S + n]) + (a2 * tab[b2 + n] + c2 * tab[b2 + S + n]) + (a3 * tab[b3 + n] + c3 * tab[b3 + S + n]);
    y[y0 + n] = v;
    mixed += v * v;
  }
  return mixed;
}

// hrirPairUnscaled's per-neighbour gains for the rows delayed by p and p + 1 phases, whole-sample shifts and read positions; scratch.
const GAIN_A = new Float64Array(4);
const GAIN_B = new Float64Array(4);
const SHIFT = new Int32Array(4);
const BASE = new Int32Array(4);

/**
 * Lowest and highest measured elevations, degrees (−40° and 90° for KEMAR).
 * `hrirPair` holds the nearest ring's responses outside this range.
 */
export function elevationRangeDeg(hrtf: Hrtf): { minDeg: number; maxDeg: number } {
  const el = gridOf(hrtf).ringElRad;
  const deg = (r: number) => Math.round(((r * 180) / Math.PI) * 1e6) / 1e6;
  return { minDeg: deg(el[0]), maxDeg: deg(el[el.length - 1]) };
}

/** Sub-sample phases precomputed per HRIR for the onset shifts of `hrirPair`. */
const PHASES = 8;
/**
 * Zeros either side of each IR in the phase table, per kHz of sample rate: whole-sample onset
 * shifts up to that many samples need no clipping (KEMAR's neighbours differ by up to 4 samples
 * at 16 kHz, 10 at 48 kHz; larger shifts take a slower path).
 */
const TABLE_PAD_PER_KHZ = 0.25;

// The measured directions as rings of equal elevation, and the HRIRs delayed by p/PHASES samples.
interface HrtfGrid {
  /** Ring elevations, radians, ascending. */
  ringElRad: Float64Array;
  /** Ring r holds members ringStart[r] .. ringStart[r + 1] − 1 of `azRad` and `direction`, sorted by azimuth. */
  ringStart: Int32Array;
  azRad: Float64Array;
  direction: Int32Array;
  /** Energy of each IR, at `energy[2 * i + e]`. */
  energy: Float64Array;
  /**
   * Every IR of `hrtf.ir` (row k = 2 · direction + ear) delayed by p/PHASES samples, p = 0 .. PHASES
   * (PHASES: a whole sample), each with `pad` zeros either side: the row's phases lie next to each other,
   * `stride` = taps + 2 · pad floats apart, sample n of row k, phase p at `rowAt(k, p) + n`.
   */
  table: Float32Array;
  stride: number;
  pad: number;
  rowAt(row: number, phase: number): number;
}

const grids = new WeakMap<Hrtf, HrtfGrid>();

// hrirPair's four neighbours (direction indices) and weights; scratch, rewritten by every call.
const NEIGHBOUR = new Int32Array(4);
const NEIGHBOUR_WEIGHT = new Float64Array(4);

function azimuthOf(x: number, y: number): number {
  const az = Math.atan2(y, x);
  return az < 0 ? az + 2 * Math.PI : az;
}

function gridOf(hrtf: Hrtf): HrtfGrid {
  let g = grids.get(hrtf);
  if (!g) grids.set(hrtf, (g = buildGrid(hrtf)));
  return g;
}

function buildGrid(hrtf: Hrtf): HrtfGrid {
  const d = hrtf.directions;
  const members = Array.from({ length: hrtf.count }, (_, i) => ({
    i,
    el: Math.atan2(d[3 * i + 2], Math.hypot(d[3 * i], d[3 * i + 1])),
    az: azimuthOf(d[3 * i], d[3 * i + 1]),
  }));
  // Directions within 0.01° of elevation share a ring.
  const key = (el: number) => Math.round((el * 180 * 100) / Math.PI);
  members.sort((a, b) => key(a.el) - key(b.el) || a.az - b.az);
  const ringEl: number[] = [];
  const ringStart: number[] = [];
  members.forEach((m, k) => {
    if (k === 0 || key(m.el) !== key(members[k - 1].el)) {
      ringEl.push(m.el);
      ringStart.push(k);
    }
  });
  ringStart.push(members.length);
  return {
    ringElRad: Float64Array.from(ringEl),
    ringStart: Int32Array.from(ringStart),
    azRad: Float64Array.from(members, (m) => m.az),
    direction: Int32Array.from(members, (m) => m.i),
    energy: Float64Array.from({ length: hrtf.count * 2 }, (_, k) => addSquares(0, hrtf.ir, k * hrtf.taps, (k + 1) * hrtf.taps)),
    ...phaseTable(hrtf),
  };
}

// Ring r's two measured azimuths around `az` (wrapping at 360°) into NEIGHBOUR[slot], [slot + 1], sharing `weight`.
function ringNeighbours(g: HrtfGrid, r: number, az: number, weight: number, slot: number): void {
  const s = g.ringStart[r];
  const count = g.ringStart[r + 1] - s;
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (g.azRad[s + mid] <= az) lo = mid + 1;
    else hi = mid;
  }
  // lo − 1 is the last member at or before az; −1 wraps to the last member.
  const a = (lo + count - 1) % count;
  const b = (a + 1) % count;
  const azA = g.azRad[s + a] - (lo === 0 ? 2 * Math.PI : 0);
  const azB = g.azRad[s + b] + (b === 0 && lo !== 0 ? 2 * Math.PI : 0);
  const u = count === 1 ? 0 : (az - azA) / (azB - azA);
  NEIGHBOUR[slot] = g.direction[s + a];
  NEIGHBOUR[slot + 1] = g.direction[s + b];
  NEIGHBOUR_WEIGHT[slot] = weight * (1 - u);
  NEIGHBOUR_WEIGHT[slot + 1] = weight * u;
}

// y[y0 + n] += gainA · tab[at + n − shift] + gainB · tab[at + stride + n − shift] for n in 0 .. taps − 1
// where n − shift is inside the IR (samples outside it are zero).
function addShifted(y: Float64Array, y0: number, tab: Float32Array, at: number, stride: number, taps: number, shift: number, gainA: number, gainB: number): void {
  const n0 = Math.max(0, shift);
  const n1 = Math.min(taps, taps + shift);
  const from = at - shift - y0;
  for (let n = y0 + n0; n < y0 + n1; n++) y[n] += gainA * tab[from + n] + gainB * tab[from + stride + n];
}

// The IRs and their PHASES delayed copies, interleaved by row with zero margins (see HrtfGrid.table):
// row by row, each delayed with the fractional-delay kernel and cut to `taps` (samples outside the IR are zero).
function phaseTable(hrtf: Hrtf): Pick<HrtfGrid, 'table' | 'stride' | 'pad' | 'rowAt'> {
  const T = hrtf.taps;
  const pad = Math.ceil((TABLE_PAD_PER_KHZ * hrtf.sampleRateHz) / 1000) + 2;
  const stride = T + 2 * pad;
  const rows = 2 * hrtf.count;
  const table = new Float32Array(rows * (PHASES + 1) * stride);
  const rowAt = (row: number, phase: number) => (row * (PHASES + 1) + phase) * stride + pad;
  const kernels = Array.from({ length: PHASES }, (_, p) => {
    const taps = new Float64Array(2 * FRACTIONAL_DELAY_HALF_TAPS);
    return { taps, start: fractionalDelayKernel((p + 1) / PHASES, taps) };
  });
  // One IR with 2·HALF_TAPS zeros either side: delayed[n] = Σ_j taps[j] · ir[n − start − j].
  const margin = 2 * FRACTIONAL_DELAY_HALF_TAPS;
  const x = new Float64Array(T + 2 * margin);
  for (let row = 0; row < rows; row++) {
    const ir = hrtf.ir.subarray(row * T, (row + 1) * T);
    table.set(ir, rowAt(row, 0));
    x.set(ir, margin);
    for (let p = 0; p < PHASES; p++) convolveTaps16(x, margin - kernels[p].start, kernels[p].taps, table, rowAt(row, p + 1), T);
  }
  return { table, stride, pad, rowAt };
}

/** A SOFA file's HRIRs as measured: its own rate, unit direction vectors, IR of direction i, ear e at `ir[(2 * i + e) * taps]`. */
export interface RawHrtf {
  rateHz: number;
  count: number;
  taps: number;
  directions: Float64Array;
  ir: Float64Array;
}

const rawCache = new Map<string, Promise<RawHrtf>>();

/** Read a SOFA SimpleFreeFieldHRIR file as it is (no resampling, no scaling); read once per path. */
export function readSofa(path: string): Promise<RawHrtf> {
  let hit = rawCache.get(path);
  if (!hit) {
    hit = readSofaNow(path);
    hit.catch(() => rawCache.delete(path));
    rawCache.set(path, hit);
  }
  return hit;
}

async function readSofaNow(path: string): Promise<RawHrtf> {
  if (!existsSync(path)) throw new Errors.FILE_NOT_FOUND(path);
  // HDF5's wasm is loaded when a SOFA file is first read, not by every process that imports the scene code.
  const { default: h5wasm } = await import('h5wasm/node');
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'r');
  try {
    const irDs = f.get('Data.IR') as H5Dataset | null;
    const posDs = f.get('SourcePosition') as H5Dataset | null;
    const rateDs = f.get('Data.SamplingRate') as H5Dataset | null;
    if (!irDs || !posDs || !rateDs || irDs.shape?.length !== 3 || irDs.shape[1] !== 2) {
      throw new Errors.INVALID_BANK(`${path}: not a SOFA SimpleFreeFieldHRIR file (needs Data.IR [M,2,N], SourcePosition, Data.SamplingRate)`);
    }
    const [count, , taps] = irDs.shape;
    const pos = Float64Array.from(posDs.value as ArrayLike<number>);
    const type = String(posDs.attrs?.Type?.value ?? 'spherical');
    const directions = new Float64Array(count * 3);
    for (let i = 0; i < count; i++) {
      let [a, b, c] = [pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]];
      if (type === 'spherical') {
        const az = (a * Math.PI) / 180;
        const el = (b * Math.PI) / 180;
        [a, b, c] = [Math.cos(el) * Math.cos(az), Math.cos(el) * Math.sin(az), Math.sin(el)];
      }
      const norm = Math.hypot(a, b, c) || 1;
      directions.set([a / norm, b / norm, c / norm], 3 * i);
    }
    const rateHz = Number((rateDs.value as ArrayLike<number>)[0]);
    return { rateHz, count, taps, directions, ir: Float64Array.from(irDs.value as ArrayLike<number>) };
  } finally {
    f.close();
  }
}

/** Read a SOFA file and resample its IRs to `sampleRateHz` (what {@link loadHrtf} does without a table). */
export async function hrtfFromSofa(sofaPath: string, sampleRateHz: number): Promise<Hrtf> {
  return resampleHrtf(await readSofa(sofaPath), sampleRateHz);
}

// Resample all IRs in one libsamplerate call: they are laid end to end with a
// stride that maps to a whole number of output samples, so every IR keeps its
// exact sub-sample timing (and each pair its interaural delay); the zero gap
// keeps each IR's filter ringing out of its neighbours (−54 dB against
// resampling each IR alone, measured). Odd rate ratios fall back to one call per IR.
async function resampleHrtf(raw: RawHrtf, toHz: number): Promise<Hrtf> {
  const { rateHz: fromHz, count, taps: inTaps } = raw;
  const taps = Math.round((inTaps * toHz) / fromHz);
  const ir = new Float32Array(count * 2 * taps);
  const period = fromHz / gcd(fromHz, toHz);
  if (period <= 4096) {
    const stride = period * Math.ceil((inTaps + 370) / period);
    const outStride = (stride * toHz) / fromHz;
    const line = new Float32Array(count * 2 * stride);
    for (let k = 0; k < count * 2; k++) line.set(raw.ir.subarray(k * inTaps, (k + 1) * inTaps), k * stride);
    const [y] = await resampleChannels([line], fromHz, toHz, 'best');
    for (let k = 0; k < count * 2; k++) ir.set(y.subarray(k * outStride, k * outStride + taps), k * taps);
  } else {
    const each = Array.from({ length: count * 2 }, (_, k) => Float32Array.from(raw.ir.subarray(k * inTaps, (k + 1) * inTaps)));
    const ys = await resampleChannels(each, fromHz, toHz, 'best');
    ys.forEach((y, k) => ir.set(y.subarray(0, taps), k * taps));
  }
  let energy = 0;
  for (const v of ir) energy += v * v;
  const gain = 1 / Math.sqrt(energy / (count * 2));
  for (let i = 0; i < ir.length; i++) ir[i] *= gain;
  // Onsets are measured at the file's rate, where the peak is sharpest, and scaled:
  // resampling keeps each IR's timing.
  const onsetsSamples = Float64Array.from({ length: count * 2 }, (_, k) => (onsetOf(raw.ir.subarray(k * inTaps, (k + 1) * inTaps)) * toHz) / fromHz);
  return { sampleRateHz: toHz, count, taps, directions: raw.directions, ir, onsetsSamples };
}

/** Fraction of an IR's peak magnitude that marks its onset. */
const ONSET_THRESHOLD = 0.1;

// Where |x| first reaches ONSET_THRESHOLD × its peak, in samples (linear interpolation between samples).
// A low threshold: the far ear's head-shadowed response rises slowly, and its peak moves with azimuth.
function onsetOf(x: Float64Array): number {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const threshold = ONSET_THRESHOLD * peak;
  for (let i = 1; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a >= threshold) {
      const b = Math.abs(x[i - 1]);
      return b >= threshold ? i - 1 : i - 1 + (threshold - b) / (a - b);
    }
  }
  return 0;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
