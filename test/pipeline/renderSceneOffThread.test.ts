import { beforeAll, describe, expect, it } from 'vitest';
import { BehaviorSubject, lastValueFrom, Subject, toArray, type OperatorFunction } from 'rxjs';
import { renderScene, type VersionedScene } from '../../src/pipeline/renderScene.ts';
import { renderSceneOffThread } from '../../src/pipeline/renderSceneOffThread.ts';
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

// The clip in 20 ms chunks through `render`, the scene switched to `next` (version 1) before chunk `switchAt`.
async function play(render: (scenes$: BehaviorSubject<VersionedScene>) => OperatorFunction<SourceChunk, SceneChunk>, next: PreparedScene, switchAt: number): Promise<SceneChunk[]> {
  const scenes = new BehaviorSubject<VersionedScene>({ scene: room, version: 0 });
  const source = new Subject<SourceChunk>();
  const out = lastValueFrom(source.pipe(render(scenes), toArray()));
  const n = 320;
  for (let k = 0; k * n < speech.length; k++) {
    if (k === switchAt) scenes.next({ scene: next, version: 1 });
    source.next({ t0: (k * n) / RATE, sampleRateHz: RATE, channels: [speech.subarray(k * n, (k + 1) * n)], capturedAtMs: k });
  }
  source.complete();
  return out;
}

describe('renderSceneOffThread', () => {
  it('gives renderScene\'s output sample for sample, through a condition change, in order', async () => {
    const [here, there] = await Promise.all([play(renderScene, hall, 40), play(renderSceneOffThread, hall, 40)]);
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
    await expect(play(renderSceneOffThread, wholeClips, 5)).rejects.toMatchObject({ code: 'EARSHOT_INVALID_CONDITION', message: expect.stringContaining('whole clips only') });
  });

  it('refuses audio before any scene and a chunk at another rate, as renderScene does', async () => {
    const none = new Subject<SourceChunk>();
    const refused = lastValueFrom(none.pipe(renderSceneOffThread(new Subject<VersionedScene>())));
    none.next({ t0: 0, sampleRateHz: RATE, channels: [speech.subarray(0, 320)], capturedAtMs: 0 });
    await expect(refused).rejects.toThrow(/before any scene/);
    const other = new Subject<SourceChunk>();
    const mismatched = lastValueFrom(other.pipe(renderSceneOffThread(new BehaviorSubject({ scene: room, version: 0 }))));
    other.next({ t0: 0, sampleRateHz: 48000, channels: [speech.subarray(0, 960)], capturedAtMs: 0 });
    await expect(mismatched).rejects.toThrow(/48000 Hz reached a scene at 16000 Hz; resample first/);
  });
});
