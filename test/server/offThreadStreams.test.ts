// The server's live pipeline moves work off the event loop: each stream's scene renders on a thread of its
// own (resampling the source first, when it comes at another rate) and the naive baseline embeds on the task
// threads. Same config, same seed: the same numbers as the pipeline that does all of it on the main thread,
// window for window.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { writeWav } from '../../src/audio/wav.ts';
import { ModelRegistry } from '../../src/encoders/registry.ts';
import { OnnxPool } from '../../src/encoders/runtime/index.ts';
import { createLiveStream } from '../../src/pipeline/liveStream.ts';
import type { LiveStreamDeps, StreamConfig, WindowResult } from '../../src/pipeline/types.ts';
import { validateCondition } from '../../src/scene/condition.ts';
import { openBanks } from '../../src/scene/render.ts';
import { naiveEncoderOnTasks } from '../../server/offThread/naiveEmbedding.ts';
import { TaskPool } from '../../server/offThread/pool.ts';
import { loadSpeech, speechPath, tempDir } from '../helpers/audio.ts';

let deps: LiveStreamDeps;
let pool: OnnxPool;
let tasks: TaskPool;

beforeAll(async () => {
  // The VAD is off, and the naive baseline has no graph: the pool only satisfies the dependency.
  pool = new OnnxPool({ workers: 1, log: () => {} });
  tasks = new TaskPool();
  const [banks, models] = await Promise.all([openBanks(), ModelRegistry.open()]);
  deps = { pool, banks, models };
});
afterAll(async () => {
  await tasks?.close();
  await pool?.close();
});

const results = async (config: StreamConfig, extra: Partial<LiveStreamDeps>): Promise<WindowResult[]> => {
  const stream = await createLiveStream(config, { ...deps, ...extra });
  return lastValueFrom(stream.results$.pipe(toArray()));
};

/** A clip written at 44.1 kHz (pcm16), which the stream resamples to the model's 16 kHz. */
let cdRateClip: { dir: string; cleanup: () => Promise<void> } | null = null;
afterAll(async () => {
  await cdRateClip?.cleanup();
});

async function atCdRate(): Promise<string> {
  cdRateClip ??= await tempDir();
  const path = join(cdRateClip.dir, 'speech-44100.wav');
  await writeWav(path, { sampleRateHz: 44100, channels: [await loadSpeech(7, 44100)] }, 'pcm16');
  return path;
}

describe('the server\'s off-thread pipeline', () => {
  it.each([
    ['16 kHz', () => Promise.resolve(speechPath(7))],
    ['44.1 kHz, resampled on the scene thread', atCdRate],
  ])('gives the main-thread pipeline\'s results window for window: scene thread and naive embeddings on the task thread (a file at %s)', async (_, clip) => {
    const config: StreamConfig = {
      source: { kind: 'file', path: await clip(), realtime: false, loop: false },
      // The naive baseline alone: pure JS, so its numbers do not depend on how the ONNX pool happens to batch.
      models: ['naive-logmel'],
      condition: validateCondition({ snrDb: 5, room: { rt60S: 0.6 }, receiver: 'binaural', noise: { ids: ['cafe'], sources: 3 }, seed: 11 }),
      probes: [],
      ckaWindows: 16,
      hopS: 0.04,
      vad: false,
    };
    const naive = deps.models.entry('naive-logmel').manifest;
    const here = await results(config, {});
    const there = await results(config, { renderOffThread: true, encoders: { 'naive-logmel': naiveEncoderOnTasks(naive, tasks) } });
    const key = (r: WindowResult) => `${r.model}#${r.seq}`;
    expect(here.length).toBeGreaterThanOrEqual(8);
    expect(there.map(key).sort()).toEqual(here.map(key).sort());
    const byKey = new Map(here.map((r) => [key(r), r]));
    for (const r of there) {
      const h = byKey.get(key(r))!;
      expect([r.t0S, r.t1S], key(r)).toEqual([h.t0S, h.t1S]);
      expect(r.clean, key(r)).toEqual(h.clean);
      expect(r.degraded, key(r)).toEqual(h.degraded);
      expect(r.metrics.cosine, key(r)).toBe(h.metrics.cosine);
    }
    expect(tasks.cpuMs.get('naiveSceneEmbedding')).toBeGreaterThan(0);
  }, 120_000);
});
