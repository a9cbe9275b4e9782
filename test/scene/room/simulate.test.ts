import { describe, expect, it } from 'vitest';
import { roomBands } from '../../../src/scene/room/absorption.ts';
import {
  defaultReceiverPosition,
  defaultRirLengthS,
  loadHrtf,
  maxSourceDistanceM,
  simulateRir,
  type SimulateOptions,
} from '../../../src/scene/room/index.ts';

const BASE: SimulateOptions = {
  room: { dimensionsM: [5, 4, 3], rt60S: 0.6 },
  source: { azimuthDeg: 40, elevationDeg: 5, distanceM: 1.5 },
  receiver: { kind: 'binaural' },
  sampleRateHz: 16000,
  seed: 11,
};

async function rejects(opts: SimulateOptions, code: string, ...fragments: (string | RegExp)[]) {
  let err: (Error & { code?: string }) | undefined;
  try {
    await simulateRir(opts);
  } catch (e) {
    err = e as Error;
  }
  expect(err, `expected ${JSON.stringify(opts)} to be rejected`).toBeDefined();
  expect(err?.code).toBe(code);
  for (const f of fragments) expect(err?.message).toMatch(f);
}

describe('simulateRir', () => {
  it('gives bit-identical output for the same options and seed', async () => {
    for (const receiver of [{ kind: 'mono' }, { kind: 'binaural' }, { kind: 'foa' }, { kind: 'array', micsM: [[0, 0.1, 0], [0, -0.1, 0]] }] as const) {
      const a = await simulateRir({ ...BASE, receiver: receiver as SimulateOptions['receiver'] });
      const b = await simulateRir({ ...BASE, receiver: receiver as SimulateOptions['receiver'] });
      expect(a.map((c) => Buffer.from(c.buffer).toString('base64'))).toEqual(b.map((c) => Buffer.from(c.buffer).toString('base64')));
    }
  });

  it('draws only the late tail from the seed: the early part does not change', async () => {
    const [a] = await simulateRir({ ...BASE, seed: 1 });
    const [b] = await simulateRir({ ...BASE, seed: 2 });
    const early = Math.round(0.07 * 16000);
    expect(a.subarray(0, early)).toEqual(b.subarray(0, early));
    expect(a.subarray(early)).not.toEqual(b.subarray(early));
  });

  it('defaults the length to min(1.2·RT60 + 0.1, 2.5) s of the slowest band and honours lengthS', async () => {
    expect(defaultRirLengthS(0.6)).toBeCloseTo(0.82, 10);
    expect(defaultRirLengthS(3)).toBe(2.5);
    const ir = await simulateRir({ ...BASE, receiver: { kind: 'foa' } });
    expect(ir).toHaveLength(4);
    const slowest = Math.max(...roomBands(BASE.room!, 16000).rt60S);
    expect(slowest).toBeGreaterThan(0.6);
    expect(ir[0].length).toBe(Math.round(defaultRirLengthS(slowest) * 16000));
    const short = await simulateRir({ ...BASE, receiver: { kind: 'mono' }, lengthS: 0.05 });
    expect(short[0].length).toBe(800);
    expect(short[0].some((v) => v !== 0)).toBe(true);
  });

  it('puts the direct sound at distance/c and keeps the IR finite and decaying', async () => {
    const [x] = await simulateRir({ ...BASE, receiver: { kind: 'mono' } });
    let peak = 0;
    x.forEach((v, i) => {
      if (Math.abs(v) > Math.abs(x[peak])) peak = i;
    });
    expect(Math.abs(peak - (1.5 / 343) * 16000)).toBeLessThanOrEqual(1);
    expect(x.every(Number.isFinite)).toBe(true);
    const e = (from: number, to: number) => x.subarray(from * 16000, to * 16000).reduce((a, v) => a + v * v, 0);
    expect(10 * Math.log10(e(0.1, 0.2) / e(0.6, 0.7))).toBeCloseTo(50, -1); // 60 dB per 0.6 s → 50 dB over 0.5 s
  });

  it('uses a receiver position near the centre at ear height by default, and maxSourceDistanceM from it', () => {
    const room = { dimensionsM: [5, 4, 3] as [number, number, number], rt60S: 0.5 };
    defaultReceiverPosition(room).forEach((v, i) => expect(v).toBeCloseTo([2.35, 2.12, 1.5][i], 10));
    expect(maxSourceDistanceM(room, 90, 0)).toBeCloseTo(4 - 2.12, 10);
    expect(maxSourceDistanceM(room, 180, 0)).toBeCloseTo(2.35, 10);
    expect(maxSourceDistanceM(room, 0, 90, [1, 1, 1])).toBeCloseTo(2, 10);
  });

  // How fast: test/bench/scene.bench.ts ("prepare" simulates binaural IRs).
  it('renders a 2 s binaural IR at 16 kHz (RT60 1 s): two ears of lengthS samples, another draw for another seed', async () => {
    await loadHrtf(16000);
    const opts = { ...BASE, room: { dimensionsM: [7, 5, 3] as [number, number, number], rt60S: 1 }, lengthS: 2 };
    const a = await simulateRir(opts);
    const b = await simulateRir({ ...opts, seed: 99 });
    for (const ir of [a, b]) expect(ir.map((c) => c.length)).toEqual([32000, 32000]);
    expect(Array.from(b[0])).not.toEqual(Array.from(a[0]));
  });

  describe('errors', () => {
    it('names a source outside the room and how to fix it', async () => {
      await rejects(
        { ...BASE, room: { dimensionsM: [5, 4, 3], rt60S: 0.6 }, source: { azimuthDeg: 90, elevationDeg: 0, distanceM: 6 } },
        'EARSHOT_INVALID_OPTION',
        /source at distance 6 m, azimuth 90°/,
        /outside the 5×4×3 m room/,
        /at most 1\.88 m fits/,
        /reduce source\.distanceM or enlarge room\.dimensionsM/,
      );
    });

    it('rejects bad placements, rates, lengths, seeds and receivers', async () => {
      await rejects({ ...BASE, source: { ...BASE.source, azimuthDeg: 200 } }, 'EARSHOT_INVALID_OPTION', /source\.azimuthDeg must be in -180\.\.180/);
      await rejects({ ...BASE, source: { ...BASE.source, elevationDeg: -95 } }, 'EARSHOT_INVALID_OPTION', /source\.elevationDeg/);
      await rejects({ ...BASE, source: { ...BASE.source, distanceM: 0 } }, 'EARSHOT_INVALID_OPTION', /source\.distanceM/);
      await rejects({ ...BASE, sampleRateHz: 16000.5 }, 'EARSHOT_INVALID_OPTION', /sampleRateHz/);
      await rejects({ ...BASE, lengthS: -1 }, 'EARSHOT_INVALID_OPTION', /lengthS/);
      await rejects({ ...BASE, seed: 0.5 }, 'EARSHOT_INVALID_OPTION', /seed/);
      await rejects({ ...BASE, receiverPositionM: [6, 1, 1] }, 'EARSHOT_INVALID_OPTION', /receiverPositionM/);
      await rejects({ ...BASE, receiver: { kind: 'quad' } as never }, 'EARSHOT_INVALID_OPTION', /receiver\.kind must be one of/);
      await rejects({ ...BASE, receiver: { kind: 'array', micsM: [] } }, 'EARSHOT_INVALID_OPTION', /receiver\.micsM/);
      await rejects({ ...BASE, receiver: { kind: 'array', micsM: [[0, 0, Number.NaN]] } }, 'EARSHOT_INVALID_OPTION', /receiver\.micsM\[0\]/);
      await rejects({ ...BASE, receiver: { kind: 'array', micsM: [[0, 0, 0], [0, 3, 0]] } }, 'EARSHOT_INVALID_OPTION', /micsM\[1\].*outside the room/);
    });

    it('rejects an RT60 the room cannot reach', async () => {
      await rejects({ ...BASE, room: { dimensionsM: [20, 15, 8], rt60S: 0.2 } }, 'EARSHOT_UNREACHABLE_RT60', /too short/, /smaller room/);
      await rejects({ ...BASE, room: { dimensionsM: [5, 4, 3], rt60S: 0 } }, 'EARSHOT_UNREACHABLE_RT60', /rt60S/);
    });
  });
});
