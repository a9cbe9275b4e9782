import { Errors } from '../../errors.ts';
import { SABINE_CONSTANT } from './sabine.ts';
import type { AirSpec, RoomSpec } from './types.ts';

/** Octave bands the walls are specified in (Hz); bands above 4 kHz reuse the 4 kHz coefficient. */
export const WALL_BANDS_HZ = [125, 250, 500, 1000, 2000, 4000] as const;

/**
 * Named wall materials: random-incidence absorption coefficients at 125 Hz … 4 kHz, from
 * M. Vorländer, "Auralization" (Springer 2008), Appendix A (as tabulated in
 * pyroomacoustics' materials database). `flat` is frequency-independent.
 */
export const MATERIALS: Readonly<Record<string, { description: string; absorption: readonly number[] }>> = Object.freeze({
  flat: { description: 'frequency-independent walls', absorption: [1, 1, 1, 1, 1, 1] },
  hard_surface: { description: 'hard surfaces, average (brick, plaster, hard floors)', absorption: [0.02, 0.02, 0.03, 0.03, 0.04, 0.05] },
  brickwork: { description: 'rendered brickwork', absorption: [0.01, 0.02, 0.02, 0.03, 0.03, 0.04] },
  rough_concrete: { description: 'rough concrete', absorption: [0.02, 0.03, 0.03, 0.03, 0.04, 0.07] },
  plasterboard: { description: '2 × 13 mm plasterboard on steel frame, mineral wool in cavity', absorption: [0.15, 0.1, 0.06, 0.04, 0.04, 0.05] },
  wooden_lining: { description: 'wooden lining, 12 mm on a frame', absorption: [0.27, 0.23, 0.22, 0.15, 0.1, 0.07] },
  glass_window: { description: 'glass window, 0.68 kg/m²', absorption: [0.1, 0.05, 0.04, 0.03, 0.03, 0.03] },
  carpet_cotton: { description: 'cotton carpet', absorption: [0.07, 0.31, 0.49, 0.81, 0.66, 0.54] },
  curtains_velvet: { description: 'tight velvet curtains', absorption: [0.05, 0.12, 0.35, 0.45, 0.38, 0.36] },
  audience_1_m2: { description: 'audience area, 1 person per m²', absorption: [0.16, 0.29, 0.55, 0.8, 0.92, 0.9] },
  rockwool_50mm: { description: 'rockwool 50 mm, 80 kg/m³', absorption: [0.22, 0.6, 0.92, 0.9, 0.88, 0.88] },
});

/** Air of the default room: 20 °C, 50 % relative humidity, sea-level pressure. */
export const DEFAULT_AIR: Readonly<AirSpec> = Object.freeze({ temperatureC: 20, humidityPct: 50 });

/** Most absorption any band is scaled to (a wall that absorbs everything reflects nothing). */
export const MAX_ABSORPTION = 0.99;

/**
 * Pure-tone attenuation by atmospheric absorption, dB per metre, by ISO 9613-1:1993
 * eqs. (3)–(5) and Annex B (saturation vapour pressure), at `pressureKPa` (default 101.325).
 *
 * @example
 * airAttenuationDbPerM(4000, 20, 50); // ≈ 0.0297 (29.7 dB/km)
 */
export function airAttenuationDbPerM(hz: number, temperatureC: number, humidityPct: number, pressureKPa = 101.325): number {
  const pr = 101.325;
  const T = temperatureC + 273.15;
  const T0 = 293.15;
  const psatOverPr = 10 ** (-6.8346 * (273.16 / T) ** 1.261 + 4.6151);
  const h = humidityPct * psatOverPr * (pr / pressureKPa);
  const p = pressureKPa / pr;
  const frO = p * (24 + (4.04e4 * h * (0.02 + h)) / (0.391 + h));
  const frN = p * (T / T0) ** -0.5 * (9 + 280 * h * Math.exp(-4.17 * ((T / T0) ** (-1 / 3) - 1)));
  const f2 = hz * hz;
  return (
    8.686 *
    f2 *
    (1.84e-11 / p * (T / T0) ** 0.5 +
      (T / T0) ** -2.5 * ((0.01275 * Math.exp(-2239.1 / T)) / (frO + f2 / frO) + (0.1068 * Math.exp(-3352 / T)) / (frN + f2 / frN)))
  );
}

/** What a room's walls and air do in each octave band. */
export interface RoomBands {
  /** Band centres, Hz: 125 Hz up to the last octave below Nyquist. */
  centresHz: number[];
  /** Wall absorption α per band (after scaling to the target). */
  absorption: number[];
  /** Pressure reflection coefficient β = sqrt(1 − α) per band. */
  reflection: number[];
  /** Air's pressure attenuation per band, nepers per metre (amplitude × e^(−a·r) over r metres). */
  airNepersPerM: number[];
  /** Sabine RT60 per band with wall and air absorption: 0.161·V / (S·α + 4·m·V), seconds. */
  rt60S: number[];
}

/**
 * The room's octave bands at `sampleRateHz`: the walls' spectral shape (a material or
 * six coefficients; `flat` by default) scaled by one factor so that the Sabine RT60 at
 * mid frequencies (the mean of the 500 Hz and 1 kHz bands, ISO 3382's T_mid) is
 * `room.rt60S`, with air absorption (ISO 9613-1; 20 °C, 50 % RH by default; `air: null`
 * for none) in every band. Throws `UNREACHABLE_RT60` when the walls cannot absorb enough.
 *
 * @example
 * roomBands({ dimensionsM: [6, 4, 3], rt60S: 0.6 }, 16000).rt60S; // [0.61, 0.60, 0.60, 0.60, 0.59, 0.55]
 */
export function roomBands(room: RoomSpec, sampleRateHz: number): RoomBands {
  room.dimensionsM.forEach((v, i) => {
    if (!Number.isFinite(v) || v <= 0) throw new Errors.INVALID_OPTION(`room.dimensionsM[${i}] must be a positive number of metres, got ${v}`);
  });
  if (!Number.isFinite(room.rt60S) || room.rt60S <= 0) throw new Errors.UNREACHABLE_RT60(`room.rt60S must be a positive number of seconds, got ${room.rt60S}`);
  checkAir(room.air);
  const [x, y, z] = room.dimensionsM;
  const volume = x * y * z;
  const surface = 2 * (x * y + x * z + y * z);
  const shape = wallShape(room.walls);
  const air = room.air === undefined ? DEFAULT_AIR : room.air;
  const centresHz: number[] = [];
  for (let fc = WALL_BANDS_HZ[0]; fc < sampleRateHz / 2; fc *= 2) centresHz.push(fc);
  const shapeAt = (i: number) => shape[Math.min(i, shape.length - 1)];
  // Energy attenuation m = α_dB / (10·log10 e) per metre.
  const m = centresHz.map((fc) => (air ? airAttenuationDbPerM(fc, air.temperatureC, air.humidityPct) / (10 * Math.LOG10E) : 0));
  const sabine = (alphas: number[], i: number) => (SABINE_CONSTANT * volume) / (surface * alphas[i] + 4 * m[i] * volume);
  const alphasFor = (k: number) => centresHz.map((_, i) => Math.min(MAX_ABSORPTION, k * shapeAt(i)));
  const mid = [centresHz.indexOf(500), centresHz.indexOf(1000)].filter((i) => i >= 0);
  const tMid = (k: number) => {
    const a = alphasFor(k);
    return mid.reduce((s, i) => s + sabine(a, i), 0) / mid.length;
  };
  // T_mid falls as k grows; bisect on k up to where every mid band is at MAX_ABSORPTION.
  let hi = Math.max(...mid.map((i) => MAX_ABSORPTION / shapeAt(i)));
  if (tMid(hi) > room.rt60S * (1 + 1e-9)) {
    throw new Errors.UNREACHABLE_RT60(
      `room.rt60S ${room.rt60S} s is too short for a ${fmtDims(room.dimensionsM)} m room with ${describeWalls(room.walls)}: ` +
        `the most absorbing walls give ${tMid(hi).toFixed(2)} s. Use a smaller room, or omit room.dimensionsM to get one that suits the RT60.`,
    );
  }
  let lo = 0;
  for (let it = 0; it < 100; it++) {
    const k = 0.5 * (lo + hi);
    if (tMid(k) > room.rt60S) lo = k;
    else hi = k;
  }
  const absorption = alphasFor(hi);
  return {
    centresHz,
    absorption,
    reflection: absorption.map((a) => Math.sqrt(1 - a)),
    airNepersPerM: m.map((v) => v / 2),
    rt60S: centresHz.map((_, i) => sabine(absorption, i)),
  };
}

/** Check a walls field: a known material or six coefficients in (0, 1]; throws `INVALID_OPTION` naming the problem. */
export function wallShape(walls: RoomSpec['walls']): readonly number[] {
  if (walls === undefined) return MATERIALS.flat.absorption;
  if (typeof walls === 'string') {
    const material = MATERIALS[walls];
    if (!material) throw new Errors.INVALID_OPTION(`room.walls "${walls}" is not a known material; known: ${Object.keys(MATERIALS).join(', ')}`);
    return material.absorption;
  }
  if (!Array.isArray(walls) || walls.length !== WALL_BANDS_HZ.length) {
    throw new Errors.INVALID_OPTION(`room.walls must be a material name or ${WALL_BANDS_HZ.length} absorption coefficients (${WALL_BANDS_HZ.join(', ')} Hz), got ${JSON.stringify(walls)}`);
  }
  walls.forEach((a, i) => {
    if (!Number.isFinite(a) || a <= 0 || a > 1) {
      throw new Errors.INVALID_OPTION(`room.walls[${i}] (${WALL_BANDS_HZ[i]} Hz) must be an absorption coefficient in (0, 1], got ${a}`);
    }
  });
  return walls;
}

/** Check an air field (null or undefined pass); throws `INVALID_OPTION` naming the field and its range. */
export function checkAir(air: AirSpec | null | undefined): void {
  if (air === null || air === undefined) return;
  if (!Number.isFinite(air.temperatureC) || air.temperatureC < -20 || air.temperatureC > 50) {
    throw new Errors.INVALID_OPTION(`room.air.temperatureC must be in -20..50 °C (ISO 9613-1's range), got ${air.temperatureC}`);
  }
  if (!Number.isFinite(air.humidityPct) || air.humidityPct < 0 || air.humidityPct > 100) {
    throw new Errors.INVALID_OPTION(`room.air.humidityPct must be a relative humidity in 0..100 %, got ${air.humidityPct}`);
  }
}

function describeWalls(walls: RoomSpec['walls']): string {
  return walls === undefined ? 'flat walls' : typeof walls === 'string' ? `${walls} walls` : 'these walls';
}

function fmtDims(d: readonly number[]): string {
  return d.map((v) => String(Math.round(v * 100) / 100)).join('×');
}
