import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { resampleChannels } from '../../src/audio/resample.ts';
import { StreamResampler } from '../../src/audio/streamResample.ts';
import { resample } from '../../src/pipeline/resample.ts';
import type { SourceChunk } from '../../src/pipeline/types.ts';

const RATE_IN = 48000;
const tone = Float32Array.from({ length: RATE_IN }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / RATE_IN) + 0.2 * Math.sin((2 * Math.PI * 2500 * i) / RATE_IN));

function chunked(x: Float32Array, sizes: number[], rate = RATE_IN): SourceChunk[] {
  const out: SourceChunk[] = [];
  for (let i = 0, k = 0; i < x.length; k++) {
    const n = Math.min(sizes[k % sizes.length], x.length - i);
    out.push({ t0: i / rate, sampleRateHz: rate, channels: [x.slice(i, i + n)], capturedAtMs: i });
    i += n;
  }
  return out;
}

const concat = (parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

describe('StreamResampler', () => {
  it('streamed in odd chunks (some under 128 samples) it gives the one-shot result, exactly round(n·to/from) samples after flush', async () => {
    const [whole] = await resampleChannels([tone], RATE_IN, 16000, 'fastest');
    const rs = await StreamResampler.create(RATE_IN, 16000, 'fastest');
    const parts: Float32Array[] = [];
    for (let i = 0, k = 0; i < tone.length; k++) {
      const n = [441, 7, 1000, 60, 2048][k % 5];
      parts.push(rs.process(tone.subarray(i, i + n)));
      i += n;
    }
    parts.push(rs.flush());
    rs.dispose();
    const y = concat(parts);
    expect(y.length).toBe(16000);
    let err = 0;
    for (let i = 100; i < y.length - 100; i++) err = Math.max(err, Math.abs(y[i] - whole[i]));
    expect(err).toBeLessThan(1e-3);
    expect(() => rs.process(tone)).toThrow(/dispose/);
  });

  it('rejects bad rates by name', async () => {
    await expect(StreamResampler.create(0, 16000)).rejects.toThrow(/fromRateHz/);
  });
});

describe('resample operator', () => {
  it('48 kHz chunks to 16 kHz: t0 recounted, n/3 samples in all, capture times kept', async () => {
    const out = await lastValueFrom(from(chunked(tone, [960, 333])).pipe(resample({ toRateHz: 16000 }), toArray()));
    const total = out.reduce((n, c) => n + c.channels[0].length, 0);
    expect(total).toBe(16000);
    let at = 0;
    for (const c of out) {
      expect(c.sampleRateHz).toBe(16000);
      expect(c.t0).toBeCloseTo(at / 16000, 12);
      at += c.channels[0].length;
    }
    expect(out.at(-1)!.capturedAtMs).toBe(chunked(tone, [960, 333]).at(-1)!.capturedAtMs);
  });

  it('a source rate the converter refuses (384 kHz) fails the stream with its message; nothing is left unhandled', async () => {
    const input = chunked(tone.subarray(0, 3840), [960], 384000);
    await expect(lastValueFrom(from(input).pipe(resample({ toRateHz: 16000 }), toArray()))).rejects.toThrow(/fromRateHz must be an integer sample rate in 1..192000 Hz, got 384000/);
  });

  it('passes chunks at the target rate through untouched', async () => {
    const input = chunked(tone.subarray(0, 4800), [480], 16000);
    const out = await lastValueFrom(from(input).pipe(resample({ toRateHz: 16000 }), toArray()));
    expect(out).toEqual(input);
    expect(out[0]).toBe(input[0]);
  });
});
