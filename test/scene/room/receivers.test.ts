import { describe, expect, it } from 'vitest';
import { lagOf } from '../../helpers/audio.ts';
import { channelCount, simulateRir, type Placement, type ReceiverSpec } from '../../../src/scene/room/index.ts';

const FS = 16000;
const C = 343;
const ROOM = { dimensionsM: [6, 4.5, 3] as [number, number, number], rt60S: 0.5 };

function render(receiver: ReceiverSpec, source: Placement, room: typeof ROOM | null = ROOM) {
  return simulateRir({ room, source, receiver, sampleRateHz: FS, seed: 1 });
}

// Samples from 0 to 3 ms after the direct sound: only the direct path (the first reflection comes later here).
function directPart(x: Float32Array, distanceM: number): Float32Array {
  return x.subarray(0, Math.round((distanceM / C + 0.003) * FS));
}

const energy = (x: Float32Array) => x.reduce((a, v) => a + v * v, 0);

describe('channelCount', () => {
  it('is 1, 2, 4 and one per microphone', () => {
    expect(channelCount({ kind: 'mono' })).toBe(1);
    expect(channelCount({ kind: 'binaural' })).toBe(2);
    expect(channelCount({ kind: 'foa' })).toBe(4);
    expect(channelCount({ kind: 'array', micsM: [[0, 0, 0], [0.1, 0, 0], [0.2, 0, 0]] })).toBe(3);
  });
});

describe('binaural receiver (channel 0 = left ear)', () => {
  it.each([
    [90, 0, 1],
    [-90, 1, 0],
    [60, 0, 1],
    [-120, 1, 0],
  ])('a source at azimuth %s° is louder and earlier in ear %s than in ear %s', async (az, near, far) => {
    const ir = await render({ kind: 'binaural' }, { azimuthDeg: az, elevationDeg: 0, distanceM: 1.2 });
    expect(ir).toHaveLength(2);
    const [n, f] = [directPart(ir[near], 1.2), directPart(ir[far], 1.2)];
    expect(10 * Math.log10(energy(n) / energy(f))).toBeGreaterThan(Math.abs(az) === 90 ? 6 : 3);
    const lag = lagOf(n, f); // the far ear hears the same thing later
    expect(lag).toBeGreaterThan(Math.abs(az) === 90 ? 7 : 3); // KEMAR's ITD at 90° is about 0.65 ms = 10 samples
    expect(lag).toBeLessThan(14);
  });

  it('hears a frontal source about equally and at the same time in both ears', async () => {
    const [l, r] = await render({ kind: 'binaural' }, { azimuthDeg: 0, elevationDeg: 0, distanceM: 1.2 });
    expect(Math.abs(10 * Math.log10(energy(directPart(l, 1.2)) / energy(directPart(r, 1.2))))).toBeLessThan(1.5);
    expect(Math.abs(lagOf(directPart(l, 1.2), directPart(r, 1.2)))).toBeLessThan(1);
  });

  it('has a diffuse tail with partly correlated ears (low-frequency coherence of a head)', async () => {
    const [l, r] = await render({ kind: 'binaural' }, { azimuthDeg: 30, elevationDeg: 0, distanceM: 1.2 });
    const from = Math.round(0.15 * FS);
    const [a, b] = [l.subarray(from), r.subarray(from)];
    const rho = a.reduce((s, v, i) => s + v * b[i], 0) / Math.sqrt(energy(a) * energy(b));
    expect(Math.abs(rho)).toBeLessThan(0.6);
    expect(10 * Math.log10(energy(a) / energy(b))).toBeLessThan(2);
  });
});

describe('foa receiver (ACN W, Y, Z, X; SN3D)', () => {
  const peakOf = (x: Float32Array) => x.reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);

  it('puts a source at +90° (left) into Y with the sign of W, and nothing into X or Z', async () => {
    const [w, y, z, x] = (await render({ kind: 'foa' }, { azimuthDeg: 90, elevationDeg: 0, distanceM: 1.5 })).map((c) => directPart(c, 1.5));
    const W = peakOf(w);
    expect(W).toBeGreaterThan(0);
    expect(peakOf(y) / W).toBeCloseTo(1, 2);
    expect(Math.abs(peakOf(x) / W)).toBeLessThan(0.01);
    expect(Math.abs(peakOf(z) / W)).toBeLessThan(0.01);
  });

  it.each([
    [0, 0, [1, 0, 0]],
    [-90, 0, [0, -1, 0]],
    [180, 0, [-1, 0, 0]],
    [45, 30, [Math.cos(Math.PI / 4) * Math.cos(Math.PI / 6), Math.sin(Math.PI / 4) * Math.cos(Math.PI / 6), 0.5]],
  ])('direct path from az %s°, el %s° has X, Y, Z / W = %j', async (az, el, [ex, ey, ez]) => {
    // Exact in free field; in a room the high-passed reflections' slow undershoot overlaps the direct path slightly.
    for (const [room, digits] of [[null, 7], [ROOM, 2]] as const) {
      const [w, y, z, x] = (await render({ kind: 'foa' }, { azimuthDeg: az, elevationDeg: el, distanceM: 1 }, room)).map((c) => directPart(c, 1));
      const W = peakOf(w);
      expect(peakOf(x) / W || 0).toBeCloseTo(ex, digits);
      expect(peakOf(y) / W || 0).toBeCloseTo(ey, digits);
      expect(peakOf(z) / W || 0).toBeCloseTo(ez, digits);
    }
  });
});

describe('array receiver', () => {
  it.each([
    [90, 0.2],
    [30, 0.2],
    [-45, 0.1],
  ])('two mics 0.2 m apart on the y axis: TDOA for azimuth %s° matches the geometry', async (az) => {
    const d = 0.2;
    const [left, right] = await render({ kind: 'array', micsM: [[0, d / 2, 0], [0, -d / 2, 0]] }, { azimuthDeg: az, elevationDeg: 0, distanceM: 1.5 });
    // Exact spherical-wave path difference from the source to each mic.
    const s = [1.5 * Math.cos((az * Math.PI) / 180), 1.5 * Math.sin((az * Math.PI) / 180)];
    const expected = ((Math.hypot(s[0], s[1] + d / 2) - Math.hypot(s[0], s[1] - d / 2)) / C) * FS;
    // Within 0.15 samples (9 µs): the parabolic peak of the cross-correlation is slightly biased.
    expect(Math.abs(lagOf(directPart(left, 1.6), directPart(right, 1.6)) - expected)).toBeLessThan(0.15);
  });

  it('scales each mic by its own 1/r', async () => {
    const [near, far] = await render({ kind: 'array', micsM: [[0, 0, 0], [-1, 0, 0]] }, { azimuthDeg: 0, elevationDeg: 0, distanceM: 1 }, null);
    // The fractional-delay kernel has unit DC gain, so each channel sums to its 1/r.
    const sum = (x: Float32Array) => x.reduce((a, v) => a + v, 0);
    expect(sum(near)).toBeCloseTo(1, 4);
    expect(sum(far)).toBeCloseTo(0.5, 4);
  });
});

describe('free field (room: null)', () => {
  it('is the direct path alone: amplitude 1/r at r/c', async () => {
    const [x] = await render({ kind: 'mono' }, { azimuthDeg: 10, elevationDeg: 0, distanceM: 2 }, null);
    const delay = (2 / C) * FS;
    let peak = 0;
    x.forEach((v, i) => { if (Math.abs(v) > Math.abs(x[peak])) peak = i; });
    expect(Math.abs(peak - delay)).toBeLessThanOrEqual(0.5);
    expect(x.reduce((a, v) => a + v, 0)).toBeCloseTo(0.5, 3);
    expect(x.length).toBe(Math.round((2 / C + 0.03) * FS));
  });
});
