// The worker thread behind renderSceneOffThread.ts: one stream's StreamingScene, fed in order through the
// thread's port. A scene message sets the scene (the first builds it), a chunk message renders one chunk
// and answers with its clean and degraded samples (their buffers transferred) or with the error it threw,
// and with the time this thread has worked since its last answer (the stream's scene-thread time).
import { parentPort, workerData } from 'node:worker_threads';
import type { PreparedScene } from '../scene/prepare.ts';
import { StreamingScene, type StreamingSceneOptions } from '../scene/streamingScene.ts';

/** What the stream's thread posts, in order. */
export type SceneThreadRequest = { type: 'scene'; scene: PreparedScene; version: number } | { type: 'chunk'; samples: Float32Array };

/** One answer per chunk, in order: its samples and the version playing at its end, or the error rendering it threw. */
export type SceneThreadReply = { tag: number; clean: Float32Array; degraded: Float32Array[]; workedMs: number } | { error: { message: string; code?: string; statusCode?: number } };

if (parentPort !== null && (workerData as { sceneThread?: Partial<StreamingSceneOptions> } | null)?.sceneThread) {
  const port = parentPort;
  const opts = (workerData as { sceneThread: Partial<StreamingSceneOptions> }).sceneThread;
  let live: StreamingScene | null = null;
  // Work done since the last answer; the thread does nothing else, so its synchronous time is its CPU time.
  let workedMs = 0;
  port.on('message', (m: SceneThreadRequest) => {
    const t0 = performance.now();
    try {
      if (m.type === 'scene') {
        if (live) live.setScene(m.scene, m.version);
        else live = new StreamingScene(m.scene, opts, m.version);
        workedMs += performance.now() - t0;
        return;
      }
      // The main thread checks that a scene came first; a chunk here always has one.
      const { clean, degraded } = live!.process(m.samples);
      const reply: SceneThreadReply = { tag: live!.tag, clean, degraded, workedMs: workedMs + performance.now() - t0 };
      workedMs = 0;
      port.postMessage(reply, [...new Set([clean.buffer, ...degraded.map((d) => d.buffer)])] as ArrayBuffer[]);
    } catch (err) {
      const e = err as { message?: string; code?: string; statusCode?: number };
      port.postMessage({ error: { message: String(e?.message ?? err), code: e?.code, statusCode: e?.statusCode } } satisfies SceneThreadReply);
    }
  });
}
