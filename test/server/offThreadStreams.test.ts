// The server's live pipeline moves work off the event loop: each stream's scene renders on a thread of its
// own and the naive baseline embeds on the task threads. Same config, same seed: the same numbers as the
// pipeline that does all of it on the main thread, window for window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { ModelRegistry } from '../../src/encoders/registry.ts';
import { OnnxPool } from '../../src/encoders/runtime/index.ts';
import { createLiveStream } from '../../src/pipeline/liveStream.ts';
import type { LiveStreamDeps, StreamConfig, WindowResult } from '../../src/pipeline/types.ts';
import { validateCondition } from '../../src/scene/condition.ts';
import { openBanks } from '../../src/scene/render.ts';
import { naiveEncoderOnTasks } from '../../server/offThread/naiveEmbedding.ts';
import { TaskPool } from '../../server/offThread/pool.ts';
import { speechPath } from '../helpers/audio.ts';

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

describe('the server\'s off-thread pipeline', () => {
  it('gives the main-thread pipeline\'s results window for window: scene thread and naive embeddings on the task thread', async () => {
    const config: StreamConfig = {
      source: { kind: 'file', path: speechPath(7), realtime: false, loop: false },
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
      expect(r.clean, key(r)).toEqual(h.clean);
      expect(r.degraded, key(r)).toEqual(h.degraded);
      expect(r.metrics.cosine, key(r)).toBe(h.metrics.cosine);
    }
    expect(tasks.cpuMs.get('naiveSceneEmbedding')).toBeGreaterThan(0);
  }, 120_000);
});
