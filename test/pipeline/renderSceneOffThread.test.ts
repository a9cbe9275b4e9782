import { beforeAll, describe, expect, it } from 'vitest';
import { BehaviorSubject, from, lastValueFrom, Subject, tap, toArray, type OperatorFunction } from 'rxjs';
import { renderScene, type VersionedScene } from '../../src/pipeline/renderScene.ts';
import { renderSceneOffThread } from '../../src/pipeline/renderSceneOffThread.ts';
import { resample } from '../../src/pipeline/resample.ts';
import type { SceneChunk, SourceChunk } from '../../src/pipeline/types.ts';
import { validateCondition } from '../../src/scene/condition.ts';
import { prepareScene, type PreparedScene } from '../../src/scene/prepare.ts';
import { openBanks } from '../../src/scene/render.ts';
import { loadSpeech } from '../helpers/audio.ts';

const RATE = 16000;
let speech: Float32Array;
let room: PreparedScene;
let hall: PreparedScene;
let wholeClips: PreparedScene;

beforeAll(async () => {
  speech = await loadSpeech(3, RATE);
  const banks = await openBanks();
  room = await prepareScene(validateCondition({ snrDb: 5, room: { rt60S: 0.3 }, receiver: 'binaural', noise: { ids: ['cafe'], sources: 2 } }), banks, RATE);
  hall = await prepareScene(validateCondition({ snrDb: 0, room: { rt60S: 1.2, dimensionsM: [9, 7, 4] }, receiver: 'binaural', noise: { ids: ['cafe', 'pink'], sources: 5 }, seed: 3 }), banks, RATE);
  wholeClips = await prepareScene(validateCondition({ snrDb: 5, recipe: 'nathear' }), banks, RATE);
});

type Render = (scenes$: BehaviorSubject<VersionedScene>) => OperatorFunction<SourceChunk, SceneChunk>;

/** The chain the server runs off-thread, in-process: resample to the scene's rate, then renderScene. */
const resampleThenRender: Render = (scenes$) => (chunks) => chunks.pipe(resample({ toRateHz: RATE }), renderScene(scenes$));
const offThread: Render = (scenes$) => renderSceneOffThread(scenes$, { toRateHz: RATE });

/**
 * `clip` (at `rate`) in 20 ms chunks through `render`, the scene switched to `next` (version 1) before chunk
 * `switchAt`; with `short`, every fifth chunk is 60 samples, which the converter holds back (nothing comes out).
 * Resampling chunks are fed one at a time, each once the ones before have gone through (resample makes its
 * converter asynchronously), so that every chain sees the switch between the same two chunks.
 */
async function play(render: Render, next: PreparedScene, switchAt: number, clip = speech, rate = RATE, short = false): Promise<SceneChunk[]> {
  const scenes = new BehaviorSubject<VersionedScene>({ scene: room, version: 0 });
  const source = new Subject<SourceChunk>();
  const got: SceneChunk[] = [];
  const out = lastValueFrom(source.pipe(render(scenes), tap((c) => got.push(c)), toArray()));
  const settled = out.then(() => undefined, () => undefined);
  const n = Math.round(rate * 0.02);
  for (let k = 0, at = 0; at < clip.length; k++) {
    if (k === switchAt) scenes.next({ scene: next, version: 1 });
    const size = short && k % 5 === 4 ? 60 : n;
    source.next({ t0: at / rate, sampleRateHz: rate, channels: [clip.subarray(at, at + size)], capturedAtMs: k });
    at += size;
    if (rate === RATE) continue;
    // The first chunk waits for the converter to be made (its output is the first to come out); later ones for one turn.
    if (k === 0) await Promise.race([settled, until(() => got.length > 0)]);
    else await new Promise((r) => setImmediate(r));
  }
  source.complete();
  return out;
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 5));
}

describe('renderSceneOffThread', () => {
  it('gives renderScene\'s output sample for sample, through a condition change, in order', async () => {
    const [here, there] = await Promise.all([play(renderScene, hall, 40), play(offThread, hall, 40)]);
    expect(there.length).toBe(here.length);
    expect(there.map((c) => c.conditionVersion)).toEqual(here.map((c) => c.conditionVersion));
    expect(new Set(there.map((c) => c.conditionVersion))).toEqual(new Set([0, 1]));
    there.forEach((c, k) => {
      expect(c.startSample).toBe(here[k].startSample);
      expect(c.capturedAtMs).toBe(k);
      expect(c.clean).toEqual(here[k].clean);
      expect(c.degraded).toEqual(here[k].degraded);
    });
  });

  it('ends the stream with the error the scene threw on its thread, its code kept', async () => {
    await expect(play(offThread, wholeClips, 5)).rejects.toMatchObject({ code: 'EARSHOT_INVALID_CONDITION', message: expect.stringContaining('whole clips only') });
  });

  it('resamples a 44.1 kHz source as resample + renderScene do: the same samples, start samples, versions and capture times', async () => {
    const clip = await loadSpeech(3, 44100);
    const [here, there] = await Promise.all([play(resampleThenRender, hall, 40, clip, 44100, true), play(offThread, hall, 40, clip, 44100, true)]);
    // Every fifth chunk gives nothing, and the flushed tail comes last with the last chunk's capture time.
    const chunks = Math.ceil(clip.length / (4 * 882 + 60)) * 5;
    expect(here.length).toBeGreaterThan(chunks * 0.75);
    expect(here.length).toBeLessThan(chunks);
    expect(here.at(-1)!.capturedAtMs).toBe(there.at(-1)!.capturedAtMs);
    expect(here.reduce((n, c) => n + c.clean.length, 0)).toBe(Math.round((clip.length * RATE) / 44100));
    expect(new Set(here.map((c) => c.conditionVersion))).toEqual(new Set([0, 1]));
    expect(there.length).toBe(here.length);
    there.forEach((c, k) => {
      const { startSample, sampleRateHz, capturedAtMs, conditionVersion } = here[k];
      expect({ startSample: c.startSample, sampleRateHz: c.sampleRateHz, capturedAtMs: c.capturedAtMs, conditionVersion: c.conditionVersion }, `chunk ${k}`).toEqual({ startSample, sampleRateHz, capturedAtMs, conditionVersion });
      expect(c.clean, `chunk ${k}`).toEqual(here[k].clean);
      expect(c.degraded, `chunk ${k}`).toEqual(here[k].degraded);
    });
  });

  it('fails the stream with the converter\'s message at a rate it refuses (384 kHz), as resample does', async () => {
    const chunk = (k: number): SourceChunk => ({ t0: k / 100, sampleRateHz: 384000, channels: [new Float32Array(3840).fill(0.1)], capturedAtMs: k });
    const refused = (render: Render) => lastValueFrom(from([0, 1, 2].map(chunk)).pipe(render(new BehaviorSubject({ scene: room, version: 0 })), toArray()));
    const message = /fromRateHz must be an integer sample rate in 1..192000 Hz, got 384000/;
    await expect(refused(resampleThenRender)).rejects.toThrow(message);
    await expect(refused(offThread)).rejects.toMatchObject({ code: 'EARSHOT_INVALID_OPTION', message: expect.stringMatching(message) });
  });

  it('refuses audio before any scene and a scene at another rate than it resamples to, as renderScene does', async () => {
    const none = new Subject<SourceChunk>();
    const refused = lastValueFrom(none.pipe(renderSceneOffThread(new Subject<VersionedScene>(), { toRateHz: RATE })));
    none.next({ t0: 0, sampleRateHz: RATE, channels: [speech.subarray(0, 320)], capturedAtMs: 0 });
    await expect(refused).rejects.toThrow(/before any scene/);
    const other = new Subject<SourceChunk>();
    const mismatched = lastValueFrom(other.pipe(renderSceneOffThread(new BehaviorSubject({ scene: room, version: 0 }), { toRateHz: 48000 })));
    other.next({ t0: 0, sampleRateHz: 48000, channels: [speech.subarray(0, 960)], capturedAtMs: 0 });
    await expect(mismatched).rejects.toThrow(/48000 Hz reached a scene at 16000 Hz; resample first/);
  });
});
