import { describe, expect, it } from 'vitest';
import { measureRoomAcoustics } from '../../../src/dsp/roomMetrics.ts';
import { roomBands } from '../../../src/scene/room/absorption.ts';
import { simulateRir } from '../../../src/scene/room/index.ts';

// Wall materials and their errors; the rest of the room's fidelity (image-source reference,
// continuity, band RT60s, air, tails) is checked by test/fidelity, the rows of `npm run fidelity`.
const FS = 16000;
const source = { azimuthDeg: 30, elevationDeg: 0, distanceM: 1.5 };

describe('frequency-dependent rooms', () => {
  it('a named material keeps its spectral shape: carpet rings far longer at 125 Hz than at 1 kHz, mid-band on target', async () => {
    const room = { dimensionsM: [6, 4, 3] as [number, number, number], rt60S: 0.5, walls: 'carpet_cotton' };
    const bands = roomBands(room, FS);
    expect((bands.rt60S[2] + bands.rt60S[3]) / 2).toBeCloseTo(0.5, 6);
    expect(bands.rt60S[0] / bands.rt60S[3]).toBeGreaterThan(3);
    const m = measureRoomAcoustics(await simulateRir({ room, source, receiver: { kind: 'mono' }, sampleRateHz: FS, seed: 2 }), FS);
    expect(m.bandT20S[0].t20S! / m.bandT20S[3].t20S!).toBeGreaterThan(2.5);
  });

  it('rejects unknown materials, coefficients outside (0, 1] and air outside its range, naming the field', () => {
    const base = { dimensionsM: [6, 4, 3] as [number, number, number], rt60S: 0.5 };
    expect(() => roomBands({ ...base, walls: 'marble' }, FS)).toThrow(/room.walls "marble" is not a known material; known: flat, hard_surface/);
    expect(() => roomBands({ ...base, walls: [0.1, 0.2, 1.3, 0.2, 0.2, 0.2] }, FS)).toThrow(/room.walls\[2\] \(500 Hz\) must be an absorption coefficient in \(0, 1\], got 1.3/);
    expect(() => roomBands({ ...base, walls: [0.1, 0.2] }, FS)).toThrow(/6 absorption coefficients/);
    expect(() => roomBands({ ...base, air: { temperatureC: 20, humidityPct: 130 } }, FS)).toThrow(/humidityPct must be a relative humidity in 0..100 %, got 130/);
    expect(() => roomBands({ ...base, air: { temperatureC: 80, humidityPct: 50 } }, FS)).toThrow(/temperatureC must be in -20..50/);
    expect(() => roomBands({ ...base, rt60S: 0.05 }, FS)).toThrow(/too short for a 6×4×3 m room with flat walls/);
  });
});
