import { Worker } from 'node:worker_threads';
import type { Observable, OperatorFunction } from '../rxjs.ts';
import { Errors } from '../errors.ts';
import type { CpuMeter } from './meterCpu.ts';
import { moduleStart, workerExecArgv } from '../moduleStart.ts';
import type { PreparedScene } from '../scene/prepare.ts';
import type { StreamingSceneOptions } from '../scene/streamingScene.ts';
import { operate } from './operate.ts';
import type { VersionedScene } from './renderScene.ts';
import type { SceneThreadData, SceneThreadReply, SceneThreadRequest } from './sceneThread.ts';
import type { SceneChunk, SourceChunk } from './types.ts';

const START = moduleStart(new URL('./sceneThread.ts', import.meta.url));

/** How {@link renderSceneOffThread} runs. */
export interface OffThreadSceneOptions {
  /** The scene's rate: chunks at another rate are resampled to it on the thread, as {@link resample} does. */
  toRateHz: number;
  /** Adds the thread's working time, when given. */
  threadTime?: CpuMeter;
  /** The StreamingScene's options. */
  scene?: Partial<StreamingSceneOptions>;
}

/**
 * `resample({ toRateHz })` then {@link renderScene}, on a worker thread of
 * the stream's own: the same StreamResampler ('fastest', flushed at the end
 * of input, empty outputs skipped) and the same StreamingScene, fed the
 * same chunks and scenes in the same order, so the output is the same
 * sample for sample, each chunk carrying the capture time of the source
 * chunk it came from (the flushed tail, the last one's); only the work
 * moves. A server runs every stream's scene this way, because a condition
 * change pre-rolls the new scene over seconds of history through IRs of up
 * to several seconds (tens of ms of work on a long room with five noise
 * sources) and every chunk runs those convolutions: on the event loop that
 * work would hold every other stream and request. Chunks come out in order;
 * the stream completes once the last chunk posted has come back. The thread
 * ends with the subscription (and keeps the process alive until then, as
 * the stream's own timers do). Errors keep their EARSHOT_* code (a source
 * rate the converter refuses fails the stream with its message); a thread
 * that dies ends the stream with OPERATOR_FAILED naming this step. The
 * thread's working time is added to `threadTime`, when given.
 *
 * ```
 * scenes$: v0--------v1-------
 * source:  --a--b--c----d--e--|      (48 kHz)
 * result:  ---A--B--C----D--E--(F|)  (16 kHz, as resample + renderScene, each chunk a thread round trip later; F: the flushed tail)
 * ```
 */
export function renderSceneOffThread(scenes$: Observable<VersionedScene>, opts: OffThreadSceneOptions): OperatorFunction<SourceChunk, SceneChunk> {
  const { toRateHz, threadTime, scene: sceneOptions = {} } = opts;
  return operate<SourceChunk, SceneChunk>('renderScene', (source, { sub, guard, observe }) => {
    const sceneThread: SceneThreadData = { toRateHz, scene: sceneOptions };
    const worker = new Worker(START.file, { workerData: { entry: START.entry, sceneThread }, execArgv: workerExecArgv(process.execArgv) });
    const post = (m: SceneThreadRequest) => worker.postMessage(m);
    // The capture times of the chunks (and the end) posted and not yet answered, oldest first.
    const waiting: number[] = [];
    // The capture time of the last chunk the thread resampled: its flushed tail's.
    let lastResampledAtMs: number | null = null;
    let sceneRateHz: number | null = null;
    let at = 0;
    let ended = false;
    let closed = false;
    worker.on(
      'message',
      guard((reply: SceneThreadReply) => {
        if ('error' in reply) throw Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code, statusCode: reply.error.statusCode } : {});
        const capturedAtMs = waiting.shift()!;
        threadTime?.add(reply.workedMs);
        if (reply.clean.length > 0) {
          const startSample = at;
          at += reply.clean.length;
          sub.next({ startSample, sampleRateHz: toRateHz, capturedAtMs, conditionVersion: reply.tag, clean: reply.clean, degraded: reply.degraded });
        }
        if (ended && waiting.length === 0) sub.complete();
      }),
    );
    let why = '';
    worker.on('error', (err) => (why = err.message));
    worker.on(
      'exit',
      guard((code: number) => {
        if (!closed) throw new Error(`its scene thread stopped (${why || `exit code ${code}`})`);
      }),
    );
    const scenes = scenes$.subscribe(
      observe({
        next: ({ scene, version }) => {
          sceneRateHz = scene.sampleRateHz;
          post({ type: 'scene', scene: forThread(scene), version });
        },
        complete: () => undefined,
      }),
    );
    const chunks = source.subscribe(
      observe({
        next: (chunk) => {
          if (toRateHz !== sceneRateHz) {
            throw new Errors.INVALID_OPTION(sceneRateHz !== null ? `renderScene: a chunk at ${toRateHz} Hz reached a scene at ${sceneRateHz} Hz; resample first` : 'renderScene: audio arrived before any scene');
          }
          if (chunk.sampleRateHz !== toRateHz) lastResampledAtMs = chunk.capturedAtMs;
          waiting.push(chunk.capturedAtMs);
          // A copy of exactly the chunk: posting a view clones its whole buffer, which a source may share between chunks.
          post({ type: 'chunk', sampleRateHz: chunk.sampleRateHz, samples: chunk.channels[0].slice() });
        },
        complete: () => {
          ended = true;
          if (lastResampledAtMs !== null) {
            waiting.push(lastResampledAtMs);
            post({ type: 'end' });
          } else if (waiting.length === 0) sub.complete();
        },
      }),
    );
    return () => {
      closed = true;
      chunks.unsubscribe();
      scenes.unsubscribe();
      void worker.terminate();
    };
  });
}

// What StreamingScene reads of a prepared scene. The IR info is left behind: its measures are getters that would
// run (about 0.2 s of analysis) when the scene is cloned for the thread.
function forThread(scene: PreparedScene): PreparedScene {
  const { condition, sampleRateHz, channelCount, receiverLabel, sourceRir, noiseLayers, warnings } = scene;
  const { kind, channels, lengthS } = scene.sourceRirInfo;
  return { condition, sampleRateHz, channelCount, receiverLabel, sourceRir, noiseLayers, warnings, sourceRirInfo: { kind, channels, lengthS, rt60S: null } };
}
