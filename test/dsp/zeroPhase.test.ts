import { describe, expect, it } from 'vitest';
import { butterworthBandpassPower, butterworthHighpassPower, filterZeroPhase, filterZeroPhaseInto, sumFiltered, type Response } from '../../src/dsp/zeroPhase.ts';
import { heapF32, WasmArena } from '../../src/dsp/pffft.ts';

// Seeded test signal (a linear congruential generator: no dependence on src/random.ts).
function signal(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5);
}

// Direct double-precision reference: x zero-padded to `size`, DFT, times the response at each bin, inverse DFT, first x.length samples.
function reference(x: ArrayLike<number>, response: Response, sampleRateHz: number, size: number): Float64Array {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    let a = 0;
    let b = 0;
    for (let n = 0; n < x.length; n++) {
      const w = (-2 * Math.PI * ((k * n) % size)) / size;
      a += x[n] * Math.cos(w);
      b += x[n] * Math.sin(w);
    }
    const g = response((Math.min(k, size - k) * sampleRateHz) / size);
    re[k] = a * g;
    im[k] = b * g;
  }
  return Float64Array.from({ length: x.length }, (_, n) => {
    let acc = 0;
    for (let k = 0; k < size; k++) {
      const w = (2 * Math.PI * ((k * n) % size)) / size;
      acc += re[k] * Math.cos(w) - im[k] * Math.sin(w);
    }
    return acc / size;
  });
}

const maxError = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (v, i) => Math.abs(v - b[i])).reduce((m, v) => Math.max(m, v), 0);
const peak = (a: ArrayLike<number>) => Array.from(a, Math.abs).reduce((m, v) => Math.max(m, v), 0);

describe('filterZeroPhase (PFFFT, single precision)', () => {
  const fs = 16000;
  const x = signal(300);
  const bandpass = butterworthBandpassPower(3, 700, 1400, fs);

  it('matches a double-precision DFT of the input zero-padded to twice its length, to 1e-6 of the peak', () => {
    const [y] = filterZeroPhase(x, fs, [bandpass]);
    const ref = reference(x, bandpass, fs, 1024);
    expect(maxError(y, ref)).toBeLessThan(1e-6 * peak(ref));
  });

  it('circular: pads only to a power of two', () => {
    const [y] = filterZeroPhase(x, fs, [bandpass], { circular: true });
    const ref = reference(x, bandpass, fs, 512);
    expect(maxError(y, ref)).toBeLessThan(1e-6 * peak(ref));
  });

  it('filters inputs shorter than the smallest transform (32 points)', () => {
    const short = signal(5, 7);
    const [y] = filterZeroPhase(short, fs, [(hz) => (hz < 4000 ? 1 : 0.5)]);
    expect(maxError(y, reference(short, (hz) => (hz < 4000 ? 1 : 0.5), fs, 32))).toBeLessThan(1e-6);
  });

  it('filterZeroPhaseInto writes what filterZeroPhase returns, into float32 or float64 arrays', () => {
    const highpass = butterworthHighpassPower(2, 100, fs);
    const expected = filterZeroPhase(x, fs, [bandpass, highpass]);
    const outs = [new Float32Array(x.length).fill(9), new Float64Array(x.length).fill(9)];
    filterZeroPhaseInto(x, fs, [bandpass, highpass], outs);
    expect(Array.from(outs[0])).toEqual(Array.from(expected[0], Math.fround));
    expect(Array.from(outs[1])).toEqual(Array.from(expected[1]));
  });

  it('sumFiltered is the sum of the inputs filtered one by one', () => {
    const inputs = [signal(300, 2), signal(200, 3)];
    const responses = [bandpass, butterworthHighpassPower(2, 2000, fs)];
    const sum = sumFiltered(inputs, responses, fs);
    const ref = new Float64Array(300);
    inputs.forEach((input, b) => {
      const padded = new Float32Array(300);
      padded.set(input);
      filterZeroPhase(padded, fs, [responses[b]])[0].forEach((v, i) => (ref[i] += v));
    });
    expect(maxError(sum, ref)).toBeLessThan(1e-6 * peak(ref));
  });
});

describe('RealFft ordered transforms (pffft.ts)', () => {
  it('forwardOrdered gives X(0), X(N/2), then Re, Im of X(k) = Σ x(n)·e^(−2πjkn/N); reorder and backwardOrdered invert it', () => {
    const owner = {};
    const arena = new WasmArena(owner);
    const N = 64;
    const fft = arena.realFft(N);
    const [a, b, c, d] = [arena.floats(N), arena.floats(N), arena.floats(N), arena.floats(N)];
    const x = signal(N, 5);
    heapF32().set(x, a >> 2);
    fft.forwardOrdered(a, b);
    const X = heapF32().slice(b >> 2, (b >> 2) + N);
    const dft = (k: number) => {
      let re = 0;
      let im = 0;
      for (let n = 0; n < N; n++) {
        re += x[n] * Math.cos((2 * Math.PI * k * n) / N);
        im -= x[n] * Math.sin((2 * Math.PI * k * n) / N);
      }
      return [re, im];
    };
    expect(X[0]).toBeCloseTo(dft(0)[0], 5);
    expect(X[1]).toBeCloseTo(dft(N / 2)[0], 5);
    for (const k of [1, 5, 31]) {
      expect(X[2 * k]).toBeCloseTo(dft(k)[0], 5);
      expect(X[2 * k + 1]).toBeCloseTo(dft(k)[1], 5);
    }
    // The z-domain spectrum reordered is the ordered one, and back.
    fft.forward(a, c);
    fft.reorder(c, d, 'toOrdered');
    expect(Array.from(heapF32().subarray(d >> 2, (d >> 2) + N))).toEqual(Array.from(X));
    fft.reorder(b, d, 'toZ');
    expect(Array.from(heapF32().subarray(d >> 2, (d >> 2) + N))).toEqual(Array.from(heapF32().subarray(c >> 2, (c >> 2) + N)));
    fft.backwardOrdered(b, c);
    expect(maxError(Array.from(heapF32().subarray(c >> 2, (c >> 2) + N), (v) => v / N), x)).toBeLessThan(1e-6);
    arena.dispose();
  });
});
