import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lowFrequencyFraction, measureRoomAcoustics } from '../../../src/dsp/roomMetrics.ts';

// test/fixtures/room/make_room_reference.py computed these with scipy (sosfiltfilt Butterworth filters) on the same samples.
const dir = new URL('../../fixtures/room/', import.meta.url);
const check = JSON.parse(readFileSync(new URL('metric_check.json', dir), 'utf8'));

function planar(file: string, channels: number): Float32Array[] {
  const buf = readFileSync(new URL(file, dir));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const n = all.length / channels;
  return Array.from({ length: channels }, (_, c) => all.slice(c * n, (c + 1) * n));
}

describe.each(['mono', 'stereo'] as const)('measureRoomAcoustics on the %s check IR, against scipy', (layout) => {
  const ref = check[layout];
  const m = measureRoomAcoustics(planar(ref.file, ref.channels), check.sampleRateHz);

  it('gives C50 and DRR within 0.05 dB', () => {
    expect(Math.abs(m.c50Db - ref.c50Db)).toBeLessThan(0.05);
    expect(Math.abs(m.drrDb - ref.drrDb)).toBeLessThan(0.05);
  });

  it('gives T20, T30 and EDT within 1 %', () => {
    expect(Math.abs(m.t20S! / ref.t20S - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.t30S! / ref.t30S - 1)).toBeLessThan(0.01);
    expect(Math.abs(m.edtS! / ref.edtS - 1)).toBeLessThan(0.01);
  });

  it('gives octave-band T20s within 3 % (scipy pads the filter edges differently)', () => {
    expect(m.bandT20S.map((b) => b.centreHz)).toEqual([125, 250, 500, 1000, 2000, 4000]);
    for (const b of m.bandT20S) expect(Math.abs(b.t20S! / ref.bandT20S[String(b.centreHz)] - 1), `${b.centreHz} Hz`).toBeLessThan(0.03);
  });

  it('gives the energy share below 40 Hz within 1 % of itself', () => {
    expect(Math.abs(m.lfFraction / ref.lfFraction - 1)).toBeLessThan(0.01);
  });
});

describe('measureRoomAcoustics errors', () => {
  it('refuses silent, empty and non-finite IRs with a message saying which', () => {
    expect(() => measureRoomAcoustics([new Float32Array(100)], 16000)).toThrow(/silent/);
    expect(() => measureRoomAcoustics([new Float32Array(0)], 16000)).toThrow(/empty/);
    expect(() => lowFrequencyFraction([Float32Array.of(1, Number.NaN)], 16000)).toThrow(/NaN/);
  });
});
