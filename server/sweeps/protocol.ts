import type { SweepEvent, SweepResults, SweepSpec } from '../../src/sweep/types.ts';

/** What the server tells a sweep's child process: run once, then perhaps cancel. */
export type ToSweepProcess = { type: 'run'; spec: SweepSpec; out: string; threads: number | undefined } | { type: 'cancel' };

/** What the child reports: the engine's events and log lines as they come, then how it ended. */
export type FromSweepProcess =
  | { type: 'event'; event: SweepEvent }
  | { type: 'log'; line: string }
  | { type: 'end'; outcome: 'done' | 'cancelled'; results: SweepResults }
  | { type: 'end'; outcome: 'failed'; error: { code: string; message: string; stack?: string } };
