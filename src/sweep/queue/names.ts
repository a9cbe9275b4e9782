/**
 * Sweeps across machines: the coordinator (`earshot sweep --redis URL`,
 * coordinator.ts) puts one BullMQ job per cell on a Redis queue, and
 * `earshot worker --redis URL` processes (worker.ts) run them on their own
 * CellPool. Job ids derive from the sweep's context id and the cell key, so a
 * rerun finds the jobs of an earlier run: finished cells come back from Redis
 * instead of running again. This file holds what both sides name alike.
 */
import type { Cell } from '../types.ts';

export const PREFIX = 'earshot';
export const QUEUE_NAME = 'sweep-cells';
/** How long contexts and finished jobs stay in Redis: long enough to resume a sweep after a weekend. */
export const KEEP_S = 7 * 24 * 3600;

/** What a cell's job carries: the sweep's context is stored once, under {@link contextKey}. */
export interface CellJobData {
  contextId: string;
  cell: Cell;
}

/** The Redis key of a sweep's context. */
export const contextKey = (contextId: string): string => `${PREFIX}:sweep-context:${contextId}`;

/** BullMQ job ids must not contain ':' (cell keys may); encoding both parts keeps the id unique and stable. */
export function cellJobId(contextId: string, cellKey: string): string {
  return `${encodeURIComponent(contextId)}/${encodeURIComponent(cellKey)}`;
}
