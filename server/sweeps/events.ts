import type { SweepEvent } from '../../src/sweep/types.ts';
import type { PublicResults, SweepRequest } from './schemas.ts';

/**
 * The `event` of a `sweep` WebSocket message (server/PROTOCOL.md): the
 * engine's plan, clean and cell events as they come, framed by the server's
 * own: `started` first, then one of `done` (results without server paths,
 * sent once the files are written), `cancelled` or `failed`.
 */
export type SweepMessageEvent =
  | { type: 'started'; request: SweepRequest; cellsTotal: number; createdAt: string }
  | Exclude<SweepEvent, { type: 'done' }>
  | { type: 'done'; results: PublicResults | null }
  | { type: 'cancelled'; cellsDone: number; cellsTotal: number }
  | { type: 'failed'; code: string; message: string };
