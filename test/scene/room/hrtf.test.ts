import { describe, expect, it } from 'vitest';
import { elevationRangeDeg, hrirPair, hrirPairUnscaled, hrtfFromSofa, KEMAR_SOFA_PATH, KEMAR_TABLE_RATES, loadHrtf, type Hrtf } from '../../../src/scene/room/hrtf.ts';

function energy(x: ArrayLike<number>): number {
  let e = 0;
  for (let n = 0; n < x.length; n++) e += x[n] * x[n];
  return e;
}
const db = (x: ArrayLike<number>) => 10 * Math.log10(energy(x));

/** Unit vector for an azimuth and elevation in degrees (x front, y left, z up). */
function unit(azimuthDeg: number, elevationDeg: number): [number, number, number] {
  const az = (azimuthDeg * Math.PI) / 180;
  const el = (elevationDeg * Math.PI) / 180;
  return [Math.cos(el) * Math.cos(az), Math.cos(el) * Math.sin(az), Math.sin(el)];
}

/** The interpolated HRIR pair towards (azimuth, elevation), degrees. */
function pairAt(h: Hrtf, azimuthDeg: number, elevationDeg: number): [Float32Array, Float32Array] {
  const out: [Float32Array, Float32Array] = [new Float32Array(h.taps), new Float32Array(h.taps)];
  hrirPair(h, ...unit(azimuthDeg, elevationDeg), out);
  return out;
}

/** Measured IR of direction i, ear e. */
const measured = (h: Hrtf, i: number, e: number) => h.ir.subarray((2 * i + e) * h.taps, (2 * i + e + 1) * h.taps);

/** Index of the measured direction at (azimuth, elevation), degrees. */
function measuredIndex(h: Hrtf, azimuthDeg: number, elevationDeg: number): number {
  const [x, y, z] = unit(azimuthDeg, elevationDeg);
  for (let i = 0; i < h.count; i++) {
    if (Math.hypot(h.directions[3 * i] - x, h.directions[3 * i + 1] - y, h.directions[3 * i + 2] - z) < 1e-6) return i;
  }
  throw new Error(`no measured direction at ${azimuthDeg}°, ${elevationDeg}°`);
}

/** Interaural time difference in samples (right ear's lag behind the left), from the cross-correlation peak, refined by a parabola. */
function itdSamples([l, r]: ArrayLike<number>[]): number {
  const xc = (lag: number) => {
    let s = 0;
    for (let n = Math.max(0, -lag); n < Math.min(l.length, r.length - lag); n++) s += l[n] * r[n + lag];
    return s;
  };
  let best = 0;
  for (let lag = -60; lag <= 60; lag++) if (xc(lag) > xc(best)) best = lag;
  const [a, b, c] = [xc(best - 1), xc(best), xc(best + 1)];
  return best + (0.5 * (a - c)) / (a - 2 * b + c);
}

/** Magnitude in dB of x at `freqHz` (a direct DFT). */
function magnitudeDb(x: ArrayLike<number>, freqHz: number, sampleRateHz: number): number {
  let re = 0;
  let im = 0;
  for (let n = 0; n < x.length; n++) {
    re += x[n] * Math.cos((2 * Math.PI * freqHz * n) / sampleRateHz);
    im -= x[n] * Math.sin((2 * Math.PI * freqHz * n) / sampleRateHz);
  }
  return 10 * Math.log10(re * re + im * im);
}

describe('loadHrtf (MIT KEMAR SOFA)', () => {
  // The shipped tables (rirs/hrtf/make-kemar-tables.ts) must be exactly what reading the SOFA file and resampling gives now.
  it.each(KEMAR_TABLE_RATES)('reads the shipped table at %i Hz: bit-identical to the SOFA file resampled', async (rate) => {
    const [table, fresh] = await Promise.all([loadHrtf(rate), hrtfFromSofa(KEMAR_SOFA_PATH, rate)]);
    expect({ ...table, ir: null, directions: null, onsetsSamples: null }).toEqual({ ...fresh, ir: null, directions: null, onsetsSamples: null });
    expect(Buffer.from(table.ir.buffer).equals(Buffer.from(fresh.ir.buffer))).toBe(true);
    expect(Buffer.from(table.directions.buffer).equals(Buffer.from(fresh.directions.buffer))).toBe(true);
    expect(Buffer.from(table.onsetsSamples.buffer).equals(Buffer.from(fresh.onsetsSamples.buffer))).toBe(true);
  });


  it('loads 710 directions resampled to the rate, once per rate', async () => {
    const h = await loadHrtf(16000);
    expect(h.count).toBe(710);
    expect(h.taps).toBe(Math.round((512 * 16000) / 44100));
    expect(h.ir.length).toBe(710 * 2 * h.taps);
    expect(await loadHrtf(16000)).toBe(h);
    // Scaled to 0 dB mean energy over directions and ears.
    expect(energy(h.ir) / (710 * 2)).toBeCloseTo(1, 4);
  });

  it('uses the SOFA convention: +90° azimuth is +y, the left ear (ear 0) is the near one', async () => {
    const h = await loadHrtf(16000);
    const left = measuredIndex(h, 90, 0);
    expect(energy(measured(h, left, 0))).toBeGreaterThan(4 * energy(measured(h, left, 1)));
    const right = measuredIndex(h, 270, 0);
    expect(energy(measured(h, right, 1))).toBeGreaterThan(4 * energy(measured(h, right, 0)));
  });

  it('measures each ear’s onset: the near ear first, about 0.6 ms apart at the side, together in front', async () => {
    const h = await loadHrtf(48000);
    const onset = (az: number, ear: number) => h.onsetsSamples[2 * measuredIndex(h, az, 0) + ear];
    const itdMs = (az: number) => ((onset(az, 1) - onset(az, 0)) / 48000) * 1000;
    expect(Math.abs(itdMs(0))).toBeLessThan(0.02);
    expect(itdMs(85)).toBeGreaterThan(0.5);
    expect(itdMs(85)).toBeLessThan(0.8);
    expect(itdMs(275)).toBeCloseTo(-itdMs(85), 1);
    // The onsets carry the delay the cross-correlation sees, within 50 µs (the two measures differ in kind).
    for (const az of [20, 45, 70]) {
      const i = measuredIndex(h, az, 0);
      expect(Math.abs(itdSamples([measured(h, i, 0), measured(h, i, 1)]) - (onset(az, 1) - onset(az, 0)))).toBeLessThan(0.05 * 48);
    }
  });

  it('knows its measured elevation range: −40° to 90°', async () => {
    expect(elevationRangeDeg(await loadHrtf(16000))).toEqual({ minDeg: -40, maxDeg: 90 });
  });
});

describe('hrirPair (interpolated HRIRs)', () => {
  it('is finite everywhere, and hrirPairUnscaled times its gains is the same pair', async () => {
    for (const rate of [16000, 48000]) {
      const h = await loadHrtf(rate);
      const out: [Float32Array, Float32Array] = [new Float32Array(h.taps), new Float32Array(h.taps)];
      const raw = [new Float64Array(h.taps + 4), new Float64Array(h.taps + 4)];
      const gains = new Float64Array(2);
      // A seeded sweep of directions, plus elevations a hair below each measured ring and azimuths a hair below measured ones.
      const dirs: [number, number, number][] = [];
      let s = 7;
      const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
      for (let i = 0; i < 1500; i++) dirs.push(unit(360 * rnd() - 180, 180 * rnd() - 90));
      for (const el of [-40, -30, -20, -10, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90]) for (const az of [0, 5, 90, 180, 270]) dirs.push(unit(az - 1e-12, el - 1e-12));
      let bad = 0;
      for (const [x, y, z] of dirs) {
        hrirPair(h, x, y, z, out);
        hrirPairUnscaled(h, x, y, z, raw[0], 1, raw[1], 3, gains);
        for (let e = 0; e < 2; e++) {
          const at = e === 0 ? 1 : 3;
          for (let n = 0; n < h.taps; n++) if (!Number.isFinite(out[e][n]) || out[e][n] !== Math.fround(gains[e] * raw[e][at + n])) bad++;
        }
      }
      expect(bad, `samples at ${rate} Hz`).toBe(0);
    }
  });

  it('returns the measured HRIR pair at every measured direction', async () => {
    for (const rate of [16000, 48000]) {
      const h = await loadHrtf(rate);
      const out: [Float32Array, Float32Array] = [new Float32Array(h.taps), new Float32Array(h.taps)];
      let worst = 0;
      for (let i = 0; i < h.count; i++) {
        hrirPair(h, h.directions[3 * i], h.directions[3 * i + 1], h.directions[3 * i + 2], out);
        for (let e = 0; e < 2; e++) {
          const m = measured(h, i, e);
          for (let n = 0; n < h.taps; n++) worst = Math.max(worst, Math.abs(out[e][n] - m[n]));
        }
      }
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it('halfway between two measured azimuths, the ITD and ILD lie between the neighbours’', async () => {
    const h = await loadHrtf(48000);
    const ild = ([l, r]: ArrayLike<number>[]) => db(l) - db(r);
    const cases: [number, number, number][] = [[0, 20, 25], [0, 40, 45], [0, 60, 65], [0, 115, 120], [0, 300, 305], [30, 36, 42], [-40, 45, 45 + 360 / 56]];
    for (const [el, a, b] of cases) {
      const [pa, pb, mid] = [pairAt(h, a, el), pairAt(h, b, el), pairAt(h, (a + b) / 2, el)];
      const [itdA, itdB, itdMid] = [pa, pb, mid].map(itdSamples);
      expect(Math.abs(itdA - itdB), `ITD differs between ${a}° and ${b}° at ${el}°`).toBeGreaterThan(0.5);
      expect(itdMid, `ITD at ${(a + b) / 2}°, ${el}°`).toBeGreaterThan(Math.min(itdA, itdB));
      expect(itdMid, `ITD at ${(a + b) / 2}°, ${el}°`).toBeLessThan(Math.max(itdA, itdB));
      const [ildA, ildB, ildMid] = [pa, pb, mid].map(ild);
      expect(ildMid, `ILD at ${(a + b) / 2}°, ${el}°`).toBeGreaterThanOrEqual(Math.min(ildA, ildB) - 1e-6);
      expect(ildMid, `ILD at ${(a + b) / 2}°, ${el}°`).toBeLessThanOrEqual(Math.max(ildA, ildB) + 1e-6);
    }
  });

  it('keeps each ear’s energy continuous over a 360° sweep in 1° steps: no step beyond the measured neighbours’ difference', async () => {
    const h = await loadHrtf(16000);
    for (const [el, gridDeg] of [[0, 5], [30, 6], [-40, 360 / 56]]) {
      // Energy of each ear at the measured azimuths (the grid) and at every whole degree.
      const cellDb = (az: number, e: number) => db(pairAt(h, Math.floor(az / gridDeg + 1e-9) * gridDeg, el)[e]);
      const sweep = Array.from({ length: 361 }, (_, az) => pairAt(h, az, el).map(db));
      for (let az = 0; az < 360; az++) {
        for (const e of [0, 1]) {
          // The measured directions around this step (it may straddle one).
          const lo = Math.floor(az / gridDeg + 1e-9) * gridDeg;
          const hi = Math.ceil((az + 1) / gridDeg - 1e-9) * gridDeg;
          let allowed = 0;
          for (let g = lo; g < hi - 1e-9; g += gridDeg) allowed = Math.max(allowed, Math.abs(cellDb(g + gridDeg, e) - cellDb(g, e)));
          expect(Math.abs(sweep[az + 1][e] - sweep[az][e]), `step ${az}→${az + 1}°, ear ${e}, elevation ${el}°`).toBeLessThanOrEqual(allowed + 1e-6);
        }
      }
    }
  });

  it('aligns the onsets before mixing: no comb notch between rings measured with different delays', async () => {
    const h = await loadHrtf(16000);
    // Az 0°: the 60° and 70° rings' onsets differ by 2.6 samples, so a plain mix notches near 3 kHz.
    const i60 = measuredIndex(h, 0, 60);
    const i70 = measuredIndex(h, 0, 70);
    expect(Math.abs(h.onsetsSamples[2 * i60] - h.onsetsSamples[2 * i70])).toBeGreaterThan(2);
    const mid = pairAt(h, 0, 65);
    const plain = measured(h, i60, 0).map((v, n) => 0.5 * (v + measured(h, i70, 0)[n]));
    let dropMid = 0;
    let dropPlain = 0;
    for (let f = 200; f <= 7000; f += 50) {
      const lower = Math.min(magnitudeDb(measured(h, i60, 0), f, 16000), magnitudeDb(measured(h, i70, 0), f, 16000));
      dropMid = Math.max(dropMid, lower - magnitudeDb(mid[0], f, 16000));
      dropPlain = Math.max(dropPlain, lower - magnitudeDb(plain, f, 16000));
    }
    expect(dropPlain).toBeGreaterThan(20);
    expect(dropMid).toBeLessThan(1);
    // The interpolated onset lies between the rings'.
    expect(itdSamples([measured(h, i60, 0), mid[0]])).toBeGreaterThan(0.5);
    expect(itdSamples([mid[0], measured(h, i70, 0)])).toBeGreaterThan(0.5);
  });

  it('holds the −40° ring below it (no extrapolation) and the top measurement above 80°', async () => {
    const h = await loadHrtf(16000);
    for (const az of [0, 30, 137]) {
      const ring = pairAt(h, az, -40);
      for (const el of [-41, -60, -90]) {
        const below = pairAt(h, az, el);
        expect(Array.from(below[0])).toEqual(Array.from(ring[0]));
        expect(Array.from(below[1])).toEqual(Array.from(ring[1]));
      }
    }
    const top = measuredIndex(h, 0, 90);
    expect(Array.from(pairAt(h, 123, 90)[0])).toEqual(Array.from(measured(h, top, 0)));
    // 85°: between the 80° ring and the single 90° measurement, so unlike both.
    const near = pairAt(h, 20, 85)[0];
    expect(near.some((v, n) => Math.abs(v - measured(h, top, 0)[n]) > 1e-3)).toBe(true);
  });
});
