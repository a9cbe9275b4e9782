import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import h5wasm from 'h5wasm/node';
import { resampleChannels } from '../../audio/resample.ts';
import { Errors } from '../../errors.ts';

/** The shipped KEMAR HRTF (MIT, normal pinna; SOFA SimpleFreeFieldHRIR, 710 directions at 1.4 m, 44.1 kHz). */
export const KEMAR_SOFA_PATH = fileURLToPath(new URL('../../../rirs/hrtf/mit_kemar_normal_pinna.sofa', import.meta.url));

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
}

const cache = new Map<string, Promise<Hrtf>>();

/**
 * Load a SOFA SimpleFreeFieldHRIR file with h5wasm and resample its IRs to
 * `sampleRateHz` with libsamplerate (best quality). Loaded once per file and
 * rate, then served from memory (the first load at 16 kHz takes about 2 s here, mostly libsamplerate).
 *
 * @example
 * const hrtf = await loadHrtf(16000); // KEMAR, 710 directions, 186 taps
 */
export function loadHrtf(sampleRateHz: number, sofaPath: string = KEMAR_SOFA_PATH): Promise<Hrtf> {
  const key = `${sofaPath}@${sampleRateHz}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = readSofa(sofaPath).then((raw) => resampleHrtf(raw, sampleRateHz));
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
  }
  return hit;
}

/**
 * Index of the measured direction nearest to the unit vector (x, y, z) (largest dot product).
 * Below the lowest measured elevation (−40° for KEMAR) this is the nearest ring's direction.
 */
export function nearestDirection(hrtf: Hrtf, x: number, y: number, z: number): number {
  const d = hrtf.directions;
  let best = 0;
  let bestDot = -Infinity;
  for (let i = 0, j = 0; i < hrtf.count; i++, j += 3) {
    const dot = d[j] * x + d[j + 1] * y + d[j + 2] * z;
    if (dot > bestDot) {
      bestDot = dot;
      best = i;
    }
  }
  return best;
}

interface RawHrtf {
  rateHz: number;
  count: number;
  taps: number;
  directions: Float64Array;
  ir: Float64Array;
}

const rawCache = new Map<string, Promise<RawHrtf>>();

function readSofa(path: string): Promise<RawHrtf> {
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
  await h5wasm.ready;
  const f = new h5wasm.File(path, 'r');
  try {
    const irDs = f.get('Data.IR') as InstanceType<typeof h5wasm.Dataset> | null;
    const posDs = f.get('SourcePosition') as InstanceType<typeof h5wasm.Dataset> | null;
    const rateDs = f.get('Data.SamplingRate') as InstanceType<typeof h5wasm.Dataset> | null;
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
  return { sampleRateHz: toHz, count, taps, directions: raw.directions, ir };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
