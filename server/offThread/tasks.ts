import { simulateRir } from '../../src/scene/room/index.ts';
import { inspectUpload } from '../uploads/inspect.ts';
import { naiveSceneEmbedding } from './naiveEmbedding.ts';

/**
 * The work the server runs on its task threads rather than the event loop:
 * each task takes structured-clonable arguments and returns a clonable value
 * (typed arrays are transferred back). Add a task here to make it available
 * to {@link TaskPool.run}.
 */
export const TASKS = {
  /** Decode and measure an upload (server/uploads/inspect.ts). */
  inspectUpload,
  /** The image-source room simulator with HRTF (src/scene/room): a condition change's heaviest step. */
  simulateRir,
  /** The naive log-mel baseline's scene embedding of a live window (pure JS, a few ms). */
  naiveSceneEmbedding,
};

export type TaskName = keyof typeof TASKS;
export type TaskArgs<T extends TaskName> = Parameters<(typeof TASKS)[T]>;
export type TaskResult<T extends TaskName> = Awaited<ReturnType<(typeof TASKS)[T]>>;
