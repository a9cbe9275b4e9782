import type { Feeds, GraphInfo } from '../types.ts';

/**
 * Messages between the OnnxPool (main thread) and its workers. Plain data
 * only: typed arrays and strings cross with structured clone or transfer.
 */

/** Where a worker runs its sessions; 'auto' tries CUDA and falls back to CPU. */
export type WorkerDevice = 'auto' | 'cuda' | 'cpu';

/** Set once per worker, at start. */
export interface WorkerInit {
  intraOpNumThreads: number;
  /** The module the thread runs (see src/moduleStart.ts). */
  entry: string;
}

export type ToWorker =
  | { type: 'load'; graphId: number; path: string; device: WorkerDevice }
  /** `crash` is the pool's test hook: the worker dies instead of running. */
  | { type: 'run'; jobId: number; graphId: number; feeds: Feeds; crash?: CrashMode };

/** How the test hook kills a worker: `process.exit` inside it, or an uncaught exception. */
export type CrashMode = 'exit' | 'throw';

export type FromWorker =
  | { type: 'loaded'; graphId: number; ok: true; info: GraphInfo; device: 'cuda' | 'cpu'; cudaError?: string }
  | { type: 'loaded'; graphId: number; ok: false; error: string; cudaError?: string }
  | { type: 'result'; jobId: number; ok: true; outputs: Feeds }
  | { type: 'result'; jobId: number; ok: false; error: string };
