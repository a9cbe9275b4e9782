import { describe, expect, it } from 'vitest';
import { measureRt60 } from '../../../src/dsp/rt60.ts';
import { defaultRoomFor, simulateRir, type ReceiverSpec } from '../../../src/scene/room/index.ts';

// The RT60 measured (Schroeder T30) on simulated IRs must be within 10 % of the target.
const TARGETS = [0.3, 0.5, 0.8, 1.2];
const FS = 16000;

async function measured(receiver: ReceiverSpec, rt60S: number, dimensionsM: [number, number, number], seed: number) {
  const ir = await simulateRir({
    room: { dimensionsM, rt60S },
    source: { azimuthDeg: -150 + 67 * seed, elevationDeg: 10 * (seed % 2), distanceM: 0.8 + 0.5 * seed },
    receiver,
    sampleRateHz: FS,
    seed,
  });
  return measureRt60(ir, FS);
}

describe.each<ReceiverSpec>([{ kind: 'mono' }, { kind: 'binaural' }])('simulated RT60, $kind receiver', (receiver) => {
  it.each(TARGETS)('is within 10 percent of %s s in the default room and in a 6×4.5×3 m room', async (rt60S) => {
    for (const [seed, dims] of [[1, defaultRoomFor(rt60S)], [2, [6, 4.5, 3]]] as const) {
      const m = await measured(receiver, rt60S, [...dims], seed);
      expect(m.method).toBe('T30');
      expect(Math.abs(m.rt60S / rt60S - 1), `${rt60S} s in ${dims.join('×')}: measured ${m.rt60S}`).toBeLessThan(0.1);
    }
  });
});

describe.each<ReceiverSpec>([{ kind: 'foa' }, { kind: 'array', micsM: [[0.05, 0, 0], [-0.05, 0, 0], [0, 0.05, 0]] }])(
  'simulated RT60, $kind receiver',
  (receiver) => {
    it.each([0.3, 1.2])('is within 10 percent of %s s', async (rt60S) => {
      const m = await measured(receiver, rt60S, defaultRoomFor(rt60S), 0);
      expect(Math.abs(m.rt60S / rt60S - 1)).toBeLessThan(0.1);
    });
  },
);
