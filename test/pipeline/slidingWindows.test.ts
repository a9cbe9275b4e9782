import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { slidingWindows } from '../../src/pipeline/slidingWindows.ts';
import { windowSpec } from '../../src/pipeline/streamConfig.ts';
import type { AudioWindow, SceneChunk } from '../../src/pipeline/types.ts';
import { rampChunk, testScheduler } from './helpers.ts';

const spec = (windowSamples: number, hopSamples: number, offsetSamples = 0) => ({ windowS: windowSamples / 1000, hopS: hopSamples / 1000, windowSamples, hopSamples, offsetSamples });

/** Chunks of the given sizes over a ramp 0, 1, 2, ... */
function chunks(sizes: number[], opts: Parameters<typeof rampChunk>[2] = {}): SceneChunk[] {
  let at = 0;
  return sizes.map((n) => {
    const c = rampChunk(at, n, { capturedAtMs: at + n, ...opts });
    at += n;
    return c;
  });
}

const cut = (input: SceneChunk[], s = spec(10, 4), channels = 1): Promise<AudioWindow[]> =>
  lastValueFrom(from(input).pipe(slidingWindows({ model: 'm', channels, spec: s }), toArray()));

describe('slidingWindows', () => {
  it('window k is samples [k·hop, k·hop + window), whatever the chunking; only full windows', async () => {
    for (const sizes of [[47], [3, 1, 7, 2, 9, 11, 5, 9], Array(47).fill(1)]) {
      const windows = await cut(chunks(sizes));
      expect(windows).toHaveLength(Math.floor((47 - 10) / 4) + 1);
      windows.forEach((w, k) => {
        expect(w.seq).toBe(k);
        expect(Array.from(w.clean[0])).toEqual(Array.from({ length: 10 }, (_, i) => 4 * k + i));
        expect(Array.from(w.degraded[0])).toEqual(Array.from(w.clean[0]));
        expect([w.t0S, w.t1S]).toEqual([(4 * k) / 1000, (4 * k + 10) / 1000]);
        expect(w.startSample).toBe(4 * k);
      });
    }
  });

  it('an offset moves the whole grid: the first window starts there', async () => {
    const windows = await cut(chunks([3, 9, 2, 20, 13]), spec(10, 4, 7));
    expect(windows.map((w) => [w.startSample, w.clean[0][0], w.seq])).toEqual([[7, 7, 0], [11, 11, 1], [15, 15, 2], [19, 19, 3], [23, 23, 4], [27, 27, 5], [31, 31, 6], [35, 35, 7]]);
  });

  it('a hop longer than the window skips the samples between windows', async () => {
    const windows = await cut(chunks([5, 13, 8, 30]), spec(4, 10));
    expect(windows.map((w) => w.clean[0][0])).toEqual([0, 10, 20, 30, 40, 50]);
    expect(windows.every((w) => w.clean[0].length === 4)).toBe(true);
  });

  it('capture time of the last sample, estimated inside its chunk; condition version of that chunk', async () => {
    const input = chunks([8, 8, 8]).map((c, i) => ({ ...c, conditionVersion: i }));
    const windows = await cut(input, spec(10, 6));
    // Chunk 1 covers [8, 16) and was captured at 16 ms; window 0 ends at sample 10 -> 6 samples (ms) earlier.
    expect(windows.map((w) => [w.capturedAtMs, w.conditionVersion])).toEqual([
      [10, 1],
      [16, 1],
      [22, 2],
    ]);
  });

  it("fits the scene to the model's channels: mean for a mono model, copies of a mono scene; a mismatch is an error", async () => {
    const stereo = chunks([12], { channels: 2 }).map((c) => ({ ...c, degraded: [c.clean.map(() => 1), c.clean.map(() => 3)] }));
    const [mono] = await cut(stereo, spec(10, 10), 1);
    expect(Array.from(mono.degraded[0])).toEqual(Array(10).fill(2));
    const [two] = await cut(chunks([12]), spec(10, 10), 2);
    expect(two.degraded).toHaveLength(2);
    expect(two.clean).toHaveLength(2);
    await expect(cut(chunks([12], { channels: 4 }), spec(10, 10), 2)).rejects.toThrow(/takes 2 channels but the scene has 4/);
  });

  it('emits as soon as the last sample arrives (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a, b, c] = chunks([6, 6, 6]);
      const out = cold('a-b-c|', { a, b, c }).pipe(slidingWindows({ model: 'm', channels: 1, spec: spec(10, 5) }));
      expectObservable(out, '^').toBe('--x-y|', { x: expect.objectContaining({ seq: 0 }), y: expect.objectContaining({ seq: 1 }) });
    });
  });
});

describe('windowSpec', () => {
  const m = (windowS: number, hopS: number) => ({ windowS, hopS, sampleRateHz: 16000 });
  it('manifest window (at least 0.5 s) and hop max(manifest hop, 80 ms, window / 10), or the override', () => {
    expect(windowSpec(m(0.782, 0.08))).toEqual({ windowS: 0.782, hopS: 0.08, windowSamples: 12512, hopSamples: 1280, offsetSamples: 0 });
    expect(windowSpec(m(0.025, 0.01))).toMatchObject({ windowS: 0.5, hopS: 0.08 });
    expect(windowSpec(m(10, 0.02))).toMatchObject({ windowS: 10, hopS: 1 });
    expect(windowSpec(m(0.782, 0.08), 0.25)).toMatchObject({ hopS: 0.25, hopSamples: 4000 });
  });

  it("openWakeWord: its hop's whole receptive field, 13152 samples from sample 800 on, hops rounded to 80 ms", () => {
    const oww = { ...m(0.782, 0.08), frontEnd: { kind: 'openwakeword' } };
    expect(windowSpec(oww)).toEqual({ windowS: 0.822, hopS: 0.08, windowSamples: 13152, hopSamples: 1280, offsetSamples: 800 });
    expect(windowSpec(oww, 0.25)).toMatchObject({ hopSamples: 3840 });
    expect(windowSpec(oww, 0.01)).toMatchObject({ hopSamples: 1280 });
  });
});
