import { describe, expect, it } from 'vitest';
import { StreamingConvolver, convolve } from '../../src/dsp/convolver.ts';
import { ir4, maxAbsDiff, speech } from './fixtures.ts';

const x = speech();
const irs = ir4();
const A = irs.slice(0, 2);
const B = irs.slice(2, 4);
const C = [irs[1], irs[0]];
const L = 1024;

const ramp = (t: number, t0: number, len: number) => (t < t0 ? 0 : t >= t0 + len ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (t - t0)) / len));
const peak = (a: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
const maxJump = (a: ArrayLike<number>, from: number, to: number) => {
  let m = 0;
  for (let i = Math.max(1, from); i < to; i++) m = Math.max(m, Math.abs(a[i] - a[i - 1]));
  return m;
};

/** Stream x in odd chunks; `at` maps a sample position to the IRs to switch to there. */
function run(at: Map<number, Float32Array[][]>, opts: { blockSize: number; crossfadeSamples: number }, ir = A): Float32Array[] {
  const conv = new StreamingConvolver(ir, opts);
  const out = ir.map(() => new Float32Array(x.length));
  const stops = [...at.keys(), x.length].sort((a, b) => a - b);
  let i = 0;
  for (const stop of stops) {
    for (let n = 37; i < stop; n = (n * 13) % 1999 + 1) {
      const m = Math.min(n, stop - i);
      conv.processInto(x.subarray(i, i + m), out, i);
      i += m;
    }
    for (const next of at.get(stop) ?? []) conv.setIr(next);
  }
  conv.dispose();
  return out;
}

describe('StreamingConvolver.setIr crossfade', () => {
  const yA = convolve(x, A, { blockSize: 256 });
  const yB = convolve(x, B, { blockSize: 256 });
  const yC = convolve(x, C, { blockSize: 256 });

  it('blends old and new outputs with a raised-cosine equal-gain ramp, mid-block', () => {
    const t0 = 10007;
    const y = run(new Map([[t0, [B]]]), { blockSize: 256, crossfadeSamples: L });
    for (let k = 0; k < 2; k++) {
      const expected = yA[k].map((a, t) => a + ramp(t, t0, L) * (yB[k][t] - a));
      expect(maxAbsDiff(y[k], expected) / peak(expected)).toBeLessThan(1e-6);
    }
  });

  it('switching to the same IR changes nothing', () => {
    const y = run(new Map([[5000, [A]]]), { blockSize: 1024, crossfadeSamples: L });
    for (let k = 0; k < 2; k++) expect(maxAbsDiff(y[k], yA[k]) / peak(yA[k])).toBeLessThan(1e-6);
  });

  it('does not click: the largest sample-to-sample step stays that of the signal; a hard switch clicks', () => {
    const neg = A.map((c) => c.map((v) => -v)); // worst case: the new output is the old one negated
    // Switch where the reverberant speech is loudest.
    const t0 = yA[0].reduce((best, v, i) => (Math.abs(v) > Math.abs(yA[0][best]) ? i : best), 0);
    const natural = maxJump(yA[0], t0 - 2 * L, t0 + 2 * L);
    const faded = run(new Map([[t0, [neg]]]), { blockSize: 1024, crossfadeSamples: L });
    const hard = run(new Map([[t0, [neg]]]), { blockSize: 1024, crossfadeSamples: 0 });
    expect(maxJump(faded[0], t0 - 2 * L, t0 + 2 * L)).toBeLessThanOrEqual(natural * 1.01);
    expect(maxJump(hard[0], t0 - 2 * L, t0 + 2 * L)).toBeGreaterThan(natural * 1.5);
    expect(Math.abs(hard[0][t0] - hard[0][t0 - 1])).toBeCloseTo(Math.abs(yA[0][t0] + yA[0][t0 - 1]), 4);
  });

  it('crossfadeSamples 0 switches at the exact sample', () => {
    const t0 = 7777;
    const y = run(new Map([[t0, [B]]]), { blockSize: 256, crossfadeSamples: 0 });
    expect(maxAbsDiff(y[0].subarray(0, t0), yA[0]) / peak(yA[0])).toBeLessThan(1e-6);
    expect(maxAbsDiff(y[0].subarray(t0), yB[0].subarray(t0)) / peak(yB[0])).toBeLessThan(1e-6);
  });

  it('a second setIr during a fade waits for it, then fades from its exact end', () => {
    const t0 = 3001;
    const y = run(new Map([[t0, [B, C]]]), { blockSize: 256, crossfadeSamples: L });
    for (let k = 0; k < 2; k++) {
      const expected = yA[k].map((a, t) => {
        const ab = a + ramp(t, t0, L) * (yB[k][t] - a);
        return ab + ramp(t, t0 + L, L) * (yC[k][t] - ab);
      });
      expect(maxAbsDiff(y[k], expected) / peak(expected)).toBeLessThan(1e-6);
    }
  });

  it('a longer new IR grows the delay line; its output is exact once its length has passed', () => {
    const short = A.map((c) => c.slice(0, 500));
    const t0 = 12000;
    const y = run(new Map([[t0, [B]]]), { blockSize: 256, crossfadeSamples: L }, short);
    const yShort = convolve(x, short, { blockSize: 256 });
    const settled = t0 + B[0].length + 2 * 256;
    for (let k = 0; k < 2; k++) {
      expect(maxAbsDiff(y[k].subarray(0, t0), yShort[k]) / peak(yShort[k])).toBeLessThan(1e-6);
      expect(maxAbsDiff(y[k].subarray(settled), yB[k].subarray(settled)) / peak(yB[k])).toBeLessThan(1e-6);
    }
  });

  it('rejects an IR with another channel count', () => {
    const conv = new StreamingConvolver(A);
    expect(() => conv.setIr(irs)).toThrow(/keep the convolver's 2 channel\(s\), got 4/);
    conv.dispose();
  });

  it('reset() completes a pending switch', () => {
    const conv = new StreamingConvolver(A, { blockSize: 256 });
    conv.process(x.subarray(0, 1000));
    conv.setIr(B);
    conv.setIr(C);
    conv.reset();
    const y = conv.process(x);
    conv.dispose();
    expect(maxAbsDiff(y[0], yC[0]) / peak(yC[0])).toBeLessThan(1e-6);
  });
});
