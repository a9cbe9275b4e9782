// The worker thread behind renderSceneOffThread.ts: one stream's StreamResampler and StreamingScene, fed in
// order through the thread's port. A scene message sets the scene (the first builds it); a chunk message
// resamples one source chunk to the scene's rate (a chunk at that rate passes as it is; the first at another
// rate makes the converter) and renders what came out; the end message flushes the converter's tail and
// renders it. Each chunk and end message is answered with its clean and degraded samples (their buffers
// transferred; none when the converter held everything back) or with the error it threw, and with the time
// this thread has worked since its last answer (the stream's scene-thread time). Making the converter is
// asynchronous, so messages are handled one after another, each once the one before has finished.
import { parentPort, workerData } from 'node:worker_threads';
import { StreamResampler } from '../audio/streamResample.ts';
import type { PreparedScene } from '../scene/prepare.ts';
import { StreamingScene, type StreamingSceneOptions } from '../scene/streamingScene.ts';

/** What the thread is started with. */
export interface SceneThreadData {
  /** The scene's rate, which source chunks are resampled to. */
  toRateHz: number;
  scene: Partial<StreamingSceneOptions>;
}

/** What the stream's thread posts, in order. */
export type SceneThreadRequest = { type: 'scene'; scene: PreparedScene; version: number } | { type: 'chunk'; sampleRateHz: number; samples: Float32Array } | { type: 'end' };

/**
 * One answer per chunk and end, in order: its samples (none when resampling gave none) and the version
 * playing at its end, or the error resampling or rendering it threw.
 */
export type SceneThreadReply = { tag: number; clean: Float32Array; degraded: Float32Array[]; workedMs: number } | { error: { message: string; code?: string; statusCode?: number } };

if (parentPort !== null && (workerData as { sceneThread?: SceneThreadData } | null)?.sceneThread) {
  const port = parentPort;
  const { toRateHz, scene: opts } = (workerData as { sceneThread: SceneThreadData }).sceneThread;
  let live: StreamingScene | null = null;
  let resampler: Promise<StreamResampler> | null = null;
  // Work done since the last answer; the thread does nothing else, so its time on a message is its CPU time.
  let workedMs = 0;

  // The samples a chunk or the end gives at the scene's rate. The end is posted only after a chunk was resampled.
  const resampled = async (m: Exclude<SceneThreadRequest, { type: 'scene' }>): Promise<Float32Array> => {
    if (m.type === 'end') return (await resampler!).flush();
    if (m.sampleRateHz === toRateHz) return m.samples;
    resampler ??= StreamResampler.create(m.sampleRateHz, toRateHz, 'fastest');
    return (await resampler).process(m.samples);
  };

  const handle = async (m: SceneThreadRequest): Promise<void> => {
    const t0 = performance.now();
    try {
      if (m.type === 'scene') {
        if (live) live.setScene(m.scene, m.version);
        else live = new StreamingScene(m.scene, opts, m.version);
        workedMs += performance.now() - t0;
        return;
      }
      const samples = await resampled(m);
      // The main thread checks that a scene came first; a chunk here always has one.
      const { clean, degraded } = samples.length > 0 ? live!.process(samples) : { clean: samples, degraded: [] };
      const reply: SceneThreadReply = { tag: live!.tag, clean, degraded, workedMs: workedMs + performance.now() - t0 };
      workedMs = 0;
      port.postMessage(reply, [...new Set([clean.buffer, ...degraded.map((d) => d.buffer)])] as ArrayBuffer[]);
    } catch (err) {
      const e = err as { message?: string; code?: string; statusCode?: number };
      port.postMessage({ error: { message: String(e?.message ?? err), code: e?.code, statusCode: e?.statusCode } } satisfies SceneThreadReply);
    }
  };

  let queue = Promise.resolve();
  port.on('message', (m: SceneThreadRequest) => {
    queue = queue.then(() => handle(m));
  });
}
