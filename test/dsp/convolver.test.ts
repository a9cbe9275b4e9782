import { describe, expect, it } from 'vitest';
import { CONVOLVER_DEFAULTS, StreamingConvolver, convolve, convolveFull } from '../../src/dsp/convolver.ts';
import { createRng } from '../../src/random.ts';
import { full4, ir4, maxAbsDiff, speech } from './fixtures.ts';

const x = speech();
const irs = ir4();
const ref = full4();
const BLOCK_SIZES = [64, 256, 1024, 4096, 16384];

/** Feed `input` in chunks of the given sizes (cycled) and collect the output. */
function stream(conv: StreamingConvolver, input: Float32Array, sizes: number[]): Float32Array[] {
  const out = Array.from({ length: conv.channelCount }, () => new Float32Array(input.length));
  for (let i = 0, j = 0; i < input.length; j++) {
    const n = Math.min(sizes[j % sizes.length], input.length - i);
    const y = conv.process(input.subarray(i, i + n));
    expect(y.map((c) => c.length)).toEqual(y.map(() => n));
    y.forEach((c, k) => out[k].set(c, i));
    i += n;
  }
  return out;
}

const peak = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

function direct(input: Float32Array, h: Float32Array): Float64Array {
  const y = new Float64Array(input.length + h.length - 1);
  for (let i = 0; i < input.length; i++) for (let j = 0; j < h.length; j++) y[i + j] += input[i] * h[j];
  return y;
}

describe('convolveFull against scipy.signal.fftconvolve (real speech x real IR)', () => {
  it('fixtures are peak-normalised', () => {
    expect(Math.max(...x.map(Math.abs))).toBeCloseTo(1, 6);
    expect(Math.max(...irs.flatMap((c) => [...c].map(Math.abs)))).toBeCloseTo(1, 6);
  });
  for (const k of [1, 2, 4]) {
    for (const blockSize of BLOCK_SIZES) {
      it(`${k} IR channel(s), blockSize ${blockSize}: within 1e-5`, () => {
        const y = convolveFull(x, irs.slice(0, k), { blockSize });
        expect(y).toHaveLength(k);
        for (let c = 0; c < k; c++) {
          expect(y[c].length).toBe(x.length + irs[0].length - 1);
          expect(maxAbsDiff(y[c], ref[c])).toBeLessThan(1e-5);
        }
      });
    }
  }
  it('convolve() is the full convolution cut to the input length', () => {
    const y = convolve(x, irs);
    for (let c = 0; c < 4; c++) {
      expect(y[c].length).toBe(x.length);
      expect(maxAbsDiff(y[c], ref[c])).toBeLessThan(1e-5);
    }
  });
});

describe('StreamingConvolver: streaming equals offline', () => {
  const rng = createRng(7);
  const randomSizes = Array.from({ length: 200 }, () => rng.int(1, 3000));
  const cases: [string, number[]][] = [
    ['1-sample', [1]], ['37-sample', [37]], ['odd mix', [1, 37, 1000, 4097, 5]], ['random 1..3000', randomSizes], ['one 10 s chunk', [160000]],
  ];
  for (const blockSize of [64, 1024, 4096]) {
    for (const [name, sizes] of cases) {
      if (blockSize === 4096 && name === '1-sample') continue; // ~40k block-sized FFT rounds; covered at 64 and 1024
      // Outputs peak near 10 here, where a float32 ulp is 9.5e-7: compare relative to the peak.
      it(`blockSize ${blockSize}, ${name} chunks: within 1e-6 (of the output peak) of offline`, () => {
        const input = name === '1-sample' ? x.subarray(0, 6000) : x;
        const offline = convolve(input, irs.slice(0, 2), { blockSize });
        const conv = new StreamingConvolver(irs.slice(0, 2), { blockSize });
        const y = stream(conv, input, sizes);
        conv.dispose();
        for (let c = 0; c < 2; c++) expect(maxAbsDiff(y[c], offline[c]) / peak(offline[c])).toBeLessThan(1e-6);
      });
    }
  }
  it('chunks that are whole blocks give bit-identical output', () => {
    const offline = convolve(x, irs, { blockSize: 256 });
    const conv = new StreamingConvolver(irs, { blockSize: 256 });
    const y = stream(conv, x, [256, 512, 2560]);
    for (let c = 0; c < 4; c++) expect(y[c]).toEqual(offline[c]);
  });
  it('has zero latency: an impulse gives the IR back from sample 0', () => {
    const conv = new StreamingConvolver(irs.slice(0, 2), { blockSize: 1024 });
    const first = conv.process(Float32Array.of(1));
    expect(first[0][0]).toBeCloseTo(irs[0][0], 6);
    expect(first[1][0]).toBeCloseTo(irs[1][0], 6);
    const rest = conv.process(new Float32Array(irs[0].length - 1));
    expect(maxAbsDiff(rest[0], irs[0].subarray(1))).toBeLessThan(1e-6);
  });
});

describe('StreamingConvolver: shapes and edge cases', () => {
  const rng = createRng(3);
  const noise = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  for (const m of [1, 63, 64, 65, 200, 640]) {
    it(`IR of ${m} taps against direct convolution (blockSize 64)`, () => {
      const input = noise(1500);
      const h = noise(m);
      const y = convolveFull(input, [h], { blockSize: 64 });
      const d = direct(input, h);
      expect(y[0].length).toBe(d.length);
      expect(maxAbsDiff(y[0], d) / Math.sqrt(m)).toBeLessThan(2e-6);
    });
  }
  it('empty input gives empty channels', () => {
    expect(convolve(new Float32Array(0), irs)).toEqual(irs.map(() => new Float32Array(0)));
    expect(convolveFull(new Float32Array(0), irs.slice(0, 1))).toEqual([new Float32Array(0)]);
    const conv = new StreamingConvolver(irs);
    expect(conv.process(new Float32Array(0)).map((c) => c.length)).toEqual([0, 0, 0, 0]);
  });
  it('reset() forgets the input history', () => {
    const conv = new StreamingConvolver(irs.slice(0, 1), { blockSize: 128 });
    conv.process(noise(1000));
    conv.reset();
    expect(maxAbsDiff(conv.process(x)[0], convolve(x, irs.slice(0, 1), { blockSize: 128 })[0])).toBe(0);
  });
  it('defaults are documented values', () => {
    expect(CONVOLVER_DEFAULTS).toEqual({ blockSize: 4096, crossfadeSamples: 1024 });
    expect(new StreamingConvolver([Float32Array.of(1)]).options).toEqual(CONVOLVER_DEFAULTS);
  });
  it('rejects bad options and IRs, naming the value', () => {
    const h = [Float32Array.of(1, 0.5)];
    expect(() => new StreamingConvolver(h, { blockSize: 100 })).toThrow('blockSize must be a power of two in 64..65536, got 100');
    expect(() => new StreamingConvolver(h, { blockSize: 32 })).toThrow(/got 32/);
    expect(() => new StreamingConvolver(h, { crossfadeSamples: -1 })).toThrow(/crossfadeSamples .* got -1/);
    expect(() => new StreamingConvolver([])).toThrow(/non-empty/);
    expect(() => new StreamingConvolver([new Float32Array(0)])).toThrow(/non-zero length/);
    expect(() => new StreamingConvolver([Float32Array.of(1), Float32Array.of(1, 2)])).toThrow(/ir\[1\] has 2/);
    expect(() => new StreamingConvolver([Float32Array.of(1, NaN)])).toThrow(/ir\[0\]\[1\] is NaN/);
    try {
      new StreamingConvolver(h, { blockSize: 100 });
    } catch (err) {
      expect((err as { code: string }).code).toBe('EARSHOT_INVALID_OPTION');
    }
  });
  it('throws when used after dispose()', () => {
    const conv = new StreamingConvolver([Float32Array.of(1)]);
    conv.dispose();
    conv.dispose();
    expect(() => conv.process(Float32Array.of(1))).toThrow(/after dispose/);
  });
});
