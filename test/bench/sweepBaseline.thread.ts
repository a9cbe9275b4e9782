// One thread of the sweep benchmark's baseline: bare onnxruntime-node on exactly the graph calls the
// encoder makes for degraded clips (captured once, replayed as raw session.run calls, no earshot code
// in the timed loop). Started by test/bench/sweep.bench.ts.
import ort from 'onnxruntime-node';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { loadAudio } from '../../src/audio/load.ts';
import { adaptChannels } from '../../src/encoders/adaptChannels.ts';
import { createEncoder } from '../../src/encoders/index.ts';
import { ModelRegistry } from '../../src/encoders/registry.ts';
import { createInProcessLoader } from '../../src/encoders/runtime/inProcess.ts';
import type { Feeds, GraphLoader } from '../../src/encoders/types.ts';
import { prepareScene } from '../../src/scene/prepare.ts';
import { openBanks, renderScene } from '../../src/scene/render.ts';
import { validateCondition } from '../../src/scene/condition.ts';

export interface BaselineInit {
  model: string;
  root: string;
  files: string[];
  condition: unknown;
  repeats: number;
  /** Int32 flag the main thread sets to 1 when every thread is ready. */
  start: SharedArrayBuffer;
}

const init = workerData as BaselineInit & { entry: string };
const calls: { path: string; feeds: Feeds }[] = [];
const inner = createInProcessLoader();
const capturing: GraphLoader = {
  async open(path) {
    const runner = await inner.open(path);
    // A copy of each input as it was at the call: the encoder may reuse its buffers afterwards.
    const copy = (feeds: Feeds): Feeds => Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, { ...t, dims: [...t.dims], data: t.data.slice() }]));
    return { info: runner.info, run: (feeds, opts) => (calls.push({ path, feeds: copy(feeds) }), runner.run(feeds, opts)) };
  },
};
const entry = (await ModelRegistry.open()).require(init.model);
const encoder = await createEncoder(entry, capturing);
const { manifest } = encoder;
const scene = await prepareScene(validateCondition(init.condition), await openBanks(), manifest.sampleRateHz);
for (const file of init.files) {
  const clean = (await loadAudio(join(init.root, file), { sampleRateHz: manifest.sampleRateHz, mono: true })).channels[0];
  await encoder.sceneEmbedding(adaptChannels(renderScene(clean, scene, { clipSeed: 1 }).channels, manifest.channels, manifest.id));
}
const sessions = new Map<string, ort.InferenceSession>();
for (const { path } of calls) {
  if (!sessions.has(path)) sessions.set(path, await ort.InferenceSession.create(path, { executionProviders: ['cpu'], intraOpNumThreads: 1 }));
}
const replay = calls.map(({ path, feeds }) => ({
  session: sessions.get(path)!,
  inputs: Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ort.Tensor(t.type, t.data, t.dims)])),
}));
for (const { session, inputs } of replay) await session.run(inputs); // warm-up
parentPort!.postMessage({ type: 'ready' });
Atomics.wait(new Int32Array(init.start), 0, 0);
const t0 = performance.now();
for (let r = 0; r < init.repeats; r++) for (const { session, inputs } of replay) await session.run(inputs);
parentPort!.postMessage({ type: 'done', ms: performance.now() - t0, clips: init.files.length * init.repeats });
