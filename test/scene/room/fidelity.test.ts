import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envelopeStepDb, measureRoomAcoustics } from '../../../src/dsp/roomMetrics.ts';
import { airAttenuationDbPerM, roomBands } from '../../../src/scene/room/absorption.ts';
import { defaultReceiverPosition, defaultRoomFor, simulateRir, sourcePosition, type ReceiverSpec, type RoomSpec } from '../../../src/scene/room/index.ts';
import { crossoverS } from '../../../src/scene/room/simulate.ts';

// Scene fidelity of the room simulator, checked against physics and an independent
// full-order image-source reference (test/fixtures/room/make_room_reference.py, numpy/scipy).
const FS = 16000;
const reference = JSON.parse(readFileSync(new URL('../../fixtures/room/reference.json', import.meta.url), 'utf8'));
const ROOMS: RoomSpec[] = [
  { dimensionsM: [4, 3, 2.5], rt60S: 0.3 },
  { dimensionsM: [6, 4, 3], rt60S: 0.6 },
  { dimensionsM: [10, 8, 4], rt60S: 0.9 },
];
const RECEIVERS: ReceiverSpec[] = [{ kind: 'mono' }, { kind: 'binaural' }, { kind: 'foa' }, { kind: 'array', micsM: [[0.05, 0, 0], [-0.05, 0, 0], [0, 0.05, 0]] }];
const source = { azimuthDeg: 30, elevationDeg: 0, distanceM: 1.5 };

describe('against a full-order image-source reference (flat walls, no air: the reference\'s room)', () => {
  type Case = { room: RoomSpec; receiverM: [number, number, number]; distanceM: number; c50Db: number; drrDb: number };
  // The 3 rooms × 3 distances (the two pyroomacoustics cross-checks in the file are left out).
  const cases = (reference.cases as Case[]).filter((c) => !(c.distanceM === 1.5 && c.room.rt60S === 0.9));
  it.each(cases)(
    'room $room.dimensionsM m, RT60 $room.rt60S s, talker at $distanceM m: C50 and DRR within 1 dB, T20 within 5 % of the target',
    async (c) => {
      const ir = await simulateRir({
        room: { ...c.room, air: null },
        receiverPositionM: c.receiverM,
        source: { azimuthDeg: 0, elevationDeg: 0, distanceM: c.distanceM },
        receiver: { kind: 'mono' },
        sampleRateHz: FS,
        seed: 3,
      });
      const m = measureRoomAcoustics(ir, FS);
      expect(Math.abs(m.c50Db - c.c50Db), `C50 ${m.c50Db.toFixed(2)} vs ${c.c50Db}`).toBeLessThan(1);
      expect(Math.abs(m.drrDb - c.drrDb), `DRR ${m.drrDb.toFixed(2)} vs ${c.drrDb}`).toBeLessThan(1);
      expect(Math.abs(m.t20S! / c.room.rt60S - 1), `T20 ${m.t20S}`).toBeLessThan(0.05);
    },
  );
});

describe.each(RECEIVERS)('$kind receiver, three rooms (default air)', (receiver) => {
  const irs = Promise.all(ROOMS.map((room) => simulateRir({ room, source, receiver, sampleRateHz: FS, seed: 5 })));

  it('keeps at most 1 % of the IR energy below 40 Hz (no infrasonic hump from the all-positive reflections)', async () => {
    for (const ir of await irs) expect(measureRoomAcoustics(ir, FS).lfFraction).toBeLessThan(0.01);
  });

  it('continues the image-source decay into the late tail without a step above 1 dB', async () => {
    for (const [i, ir] of (await irs).entries()) {
      const room = ROOMS[i];
      const centre = defaultReceiverPosition(room);
      const tC = crossoverS(room.dimensionsM, sourcePosition(centre, source), centre);
      const step = envelopeStepDb(ir, FS, tC, room.rt60S);
      expect(Math.abs(step), `${room.dimensionsM.join('×')}: step ${step.toFixed(2)} dB at ${tC.toFixed(3)} s`).toBeLessThan(1);
    }
  });
});

describe('frequency-dependent rooms', () => {
  it('ISO 9613-1 air absorption reproduces the standard\'s table (dB/km at 63 Hz..8 kHz; ISO uses exact mid-band frequencies)', () => {
    const rows: [number, number, number[]][] = [
      [10, 70, [0.1, 0.4, 1.0, 1.9, 3.7, 9.7, 32.8, 117]],
      [20, 70, [0.1, 0.3, 1.1, 2.8, 5.0, 9.0, 22.9, 76.6]],
      [15, 80, [0.1, 0.3, 1.1, 2.4, 4.1, 8.3, 23.7, 82.8]],
    ];
    for (const [t, rh, table] of rows) {
      table.forEach((dbPerKm, k) => {
        const exactHz = 1000 * 10 ** ((3 * (k - 4)) / 10);
        const ours = airAttenuationDbPerM(exactHz, t, rh) * 1000;
        expect(Math.abs(ours - dbPerKm), `${t} °C ${rh} % at ${exactHz.toFixed(0)} Hz: ${ours.toFixed(2)}`).toBeLessThan(Math.max(0.06, 0.01 * dbPerKm)); // the table is rounded to 0.1 dB/km
      });
    }
  });

  // The 125 Hz band of one IR scatters by about 12 % (few degrees of freedom): averaged over 8 seeds.
  it('with defaults, a 0.9 s room rings visibly shorter at 4 kHz than at 500 Hz, and each band decays at its Sabine target', async () => {
    const room = { dimensionsM: defaultRoomFor(0.9), rt60S: 0.9 };
    const bands = roomBands(room, FS);
    const mid = (bands.rt60S[2] + bands.rt60S[3]) / 2;
    expect(mid).toBeCloseTo(0.9, 6);
    const measured = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(async (seed) => measureRoomAcoustics(await simulateRir({ room, source, receiver: { kind: 'mono' }, sampleRateHz: FS, seed }), FS).bandT20S));
    const mean = (b: number) => measured.reduce((s, m) => s + m[b].t20S!, 0) / measured.length;
    expect(mean(5) / mean(2)).toBeLessThan(0.92);
    bands.rt60S.forEach((target, b) => expect(Math.abs(mean(b) / target - 1), `${bands.centresHz[b]} Hz: ${mean(b)} vs ${target}`).toBeLessThan(b === 0 ? 0.15 : 0.08));
  });

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
