import { describe, expect, it } from 'vitest';
import FFT from 'fft.js';
import { colouredNoise, NOISE_COLOURS } from '../../src/dsp/colouredNoise.ts';
import { createRng } from '../../src/random.ts';

const SR = 16000;
const SIZE = 4096;

// Welch periodogram (Hann, no overlap), then the mean power in an octave band.
function octavePowerDb(x: Float32Array, lowHz: number): number {
  const fft = new FFT(SIZE);
  const out = fft.createComplexArray() as number[];
  const frame = new Array<number>(SIZE);
  const power = new Float64Array(SIZE / 2);
  for (let start = 0; start + SIZE <= x.length; start += SIZE) {
    for (let i = 0; i < SIZE; i++) frame[i] = x[start + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / SIZE));
    fft.realTransform(out, frame);
    for (let b = 0; b < SIZE / 2; b++) power[b] += out[2 * b] ** 2 + out[2 * b + 1] ** 2;
  }
  const lo = Math.round((lowHz * SIZE) / SR);
  const hi = Math.round((2 * lowHz * SIZE) / SR);
  let sum = 0;
  for (let b = lo; b < hi; b++) sum += power[b];
  return 10 * Math.log10(sum / (hi - lo));
}

describe('colouredNoise', () => {
  const slopes: Record<string, number> = { white: 0, pink: -3, brown: -6 };
  for (const colour of NOISE_COLOURS) {
    it(`${colour} noise falls ${-slopes[colour]} dB per octave`, () => {
      const x = colouredNoise(colour, SR * 60, createRng(1));
      // Power density (mean per bin) in octaves from 125 Hz to 4 kHz; slope of a least-squares line, dB per octave.
      const bands = [125, 250, 500, 1000, 2000, 4000].map((f) => octavePowerDb(x, f));
      const n = bands.length;
      const meanX = (n - 1) / 2;
      const meanY = bands.reduce((a, b) => a + b, 0) / n;
      const slope = bands.reduce((acc, y, i) => acc + (i - meanX) * (y - meanY), 0) / bands.reduce((acc, _, i) => acc + (i - meanX) ** 2, 0);
      expect(Math.abs(slope - slopes[colour])).toBeLessThan(0.5);
    });
  }

  it('is reproducible from the seed and differs between seeds', () => {
    expect(colouredNoise('pink', 1000, createRng(5))).toEqual(colouredNoise('pink', 1000, createRng(5)));
    expect(colouredNoise('pink', 1000, createRng(5))).not.toEqual(colouredNoise('pink', 1000, createRng(6)));
  });

  it('has no NaN and the requested length, including zero', () => {
    for (const c of NOISE_COLOURS) {
      const x = colouredNoise(c, 12345, createRng(2));
      expect(x.length).toBe(12345);
      expect(x.every(Number.isFinite)).toBe(true);
      expect(colouredNoise(c, 0, createRng(2)).length).toBe(0);
    }
  });
});
