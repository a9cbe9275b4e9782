import { beforeAll, describe, expect, it } from 'vitest';
import { BehaviorSubject, from, lastValueFrom, Subject, toArray } from 'rxjs';
import { audioFrames } from '../../src/pipeline/audioFrames.ts';
import { LEVEL_FLOOR_DBFS } from '../../src/pipeline/metricsInternals.ts';
import { renderScene, type VersionedScene } from '../../src/pipeline/renderScene.ts';
import type { SceneChunk, SourceChunk } from '../../src/pipeline/types.ts';
import { validateCondition } from '../../src/scene/condition.ts';
import { prepareScene, type PreparedScene } from '../../src/scene/prepare.ts';
import { openBanks } from '../../src/scene/render.ts';
import { StreamingScene } from '../../src/scene/streamingScene.ts';
import { loadSpeech } from '../helpers/audio.ts';
import { rampChunk, testScheduler } from './helpers.ts';

const RATE = 16000;
let speech: Float32Array;
let dry: PreparedScene;
let room: PreparedScene;

beforeAll(async () => {
  speech = await loadSpeech(3, RATE);
  const banks = await openBanks();
  dry = await prepareScene(validateCondition({ snrDb: 'clean' }), banks, RATE);
  room = await prepareScene(validateCondition({ snrDb: 5, room: { rt60S: 0.3 }, receiver: 'binaural', noise: { ids: ['pink'], sources: 1 } }), banks, RATE);
});

const sourceChunks = (x: Float32Array, n: number, rate = RATE): SourceChunk[] =>
  Array.from({ length: Math.ceil(x.length / n) }, (_, k) => ({ t0: (k * n) / rate, sampleRateHz: rate, channels: [x.subarray(k * n, (k + 1) * n)], capturedAtMs: k }));

describe('renderScene operator', () => {
  it('renders the chunks as StreamingScene does, counting stream samples', async () => {
    const out = await lastValueFrom(from(sourceChunks(speech, 500)).pipe(renderScene(new BehaviorSubject({ scene: room, version: 0 })), toArray()));
    const direct = new StreamingScene(room);
    const reference = sourceChunks(speech, 500).map((c) => direct.process(c.channels[0]));
    direct.dispose();
    expect(out.map((c) => c.startSample)).toEqual(out.map((_, k) => k * 500));
    out.forEach((c, k) => {
      expect(c.degraded).toEqual(reference[k].degraded);
      expect(c.capturedAtMs).toBe(k);
    });
  });

  it('a new scene from scenes$ plays from the next chunk with its version (marbles)', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const chunks = sourceChunks(speech.subarray(0, 2000), 500);
      const scenes: Record<string, VersionedScene> = { a: { scene: dry, version: 0 }, b: { scene: room, version: 1 } };
      const scenes$ = hot('a---b---', scenes);
      const source = cold('-w-x-y-z|', { w: chunks[0], x: chunks[1], y: chunks[2], z: chunks[3] });
      const out = source.pipe(renderScene(scenes$));
      expectObservable(out, '^').toBe('-w-x-y-z|', {
        w: expect.objectContaining({ conditionVersion: 0, degraded: [expect.any(Float32Array)] }),
        x: expect.objectContaining({ conditionVersion: 0 }),
        y: expect.objectContaining({ conditionVersion: 1, degraded: [expect.any(Float32Array), expect.any(Float32Array)] }),
        z: expect.objectContaining({ conditionVersion: 1 }),
      });
    });
  });

  it('errors on audio before any scene and on a rate mismatch', async () => {
    const empty = new Subject<VersionedScene>();
    await expect(lastValueFrom(from(sourceChunks(speech, 500)).pipe(renderScene(empty)))).rejects.toThrow(/before any scene/);
    await expect(lastValueFrom(from(sourceChunks(speech, 500, 8000)).pipe(renderScene(new BehaviorSubject({ scene: dry, version: 0 }))))).rejects.toThrow(/resample first/);
  });
});

describe('audioFrames', () => {
  it('regroups chunks into exact frames of clean and the mono mix of the scene; the tail comes out at the end', async () => {
    const chunks: SceneChunk[] = [rampChunk(0, 7, { channels: 2 }), rampChunk(7, 9, { channels: 2 }), rampChunk(16, 2, { channels: 2 })].map((c) => ({
      ...c,
      degraded: [c.clean.map((v) => v + 1), c.clean.map((v) => v - 1)],
    }));
    const frames = await lastValueFrom(from(chunks).pipe(audioFrames({ frameS: 0.005 }), toArray()));
    expect(frames.map((f) => f.t0S)).toEqual([0, 0.005, 0.01, 0.015]);
    expect(frames.map((f) => f.clean.length)).toEqual([5, 5, 5, 3]);
    expect(Array.from(frames.flatMap((f) => Array.from(f.clean)))).toEqual(Array.from({ length: 18 }, (_, i) => i));
    expect(Array.from(frames[1].degraded)).toEqual(Array.from(frames[1].clean));
  });

  it("each frame carries the scene's peak and samples past full scale over all channels, measured before the mono mix hides them", async () => {
    // 12 samples at 1 kHz in chunks of 7 and 5, frames of 5: [0..4], [5..9], [10, 11] (silent).
    const left = new Float32Array(12);
    const right = new Float32Array(12);
    left.set([0.1, 0.2, 1.5, 0.3, 0.1, 0.1, 0.5, 0.2, 2, 0.1]);
    right.set([0.1, 0.2, -1.5, 0.3, 0.1, 0.1, -0.5, 0.2, -0.25, 0.1]);
    const chunks: SceneChunk[] = [[0, 7], [7, 5]].map(([at, n]) => ({
      ...rampChunk(at, n, { channels: 2 }),
      degraded: [left.slice(at, at + n), right.slice(at, at + n)],
    }));
    const frames = await lastValueFrom(from(chunks).pipe(audioFrames({ frameS: 0.005 }), toArray()));
    expect(frames.map((f) => f.degradedClippedSamples)).toEqual([2, 1, 0]);
    expect(frames[0].degradedPeakDbfs).toBeCloseTo(20 * Math.log10(1.5), 5);
    expect(frames[0].degraded[2]).toBe(0); // the mono mix cancels the two clipped samples
    expect(frames[1].degradedPeakDbfs).toBeCloseTo(20 * Math.log10(2), 5);
    expect(frames[2].degradedPeakDbfs).toBe(LEVEL_FLOOR_DBFS);
  });

  it('timing: a frame goes out with the chunk that completes it (marbles)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [a, b, c] = [rampChunk(0, 3), rampChunk(3, 3), rampChunk(6, 3)];
      const out = cold('a-b-c|', { a, b, c }).pipe(audioFrames({ frameS: 0.004 }));
      expectObservable(out).toBe('--x-y(z|)', { x: expect.objectContaining({ t0S: 0 }), y: expect.objectContaining({ t0S: 0.004 }), z: expect.objectContaining({ t0S: 0.008 }) });
    });
  });
});
