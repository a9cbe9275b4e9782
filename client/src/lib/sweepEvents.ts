/** How `sweep` messages change the sweep view's copy of a sweep's state (pure, so it runs in Node tests too). */
import type { SweepDetail } from '../../../server/sweeps/schemas.ts';
import type { SweepMessageEvent } from './wire.ts';

export function isEnd(event: SweepMessageEvent): boolean {
  return event.type === 'done' || event.type === 'cancelled' || event.type === 'failed';
}

/** One event applied to a sweep's state (events repeat harmlessly: cells are keyed). */
export function apply(detail: SweepDetail, event: SweepMessageEvent): SweepDetail {
  switch (event.type) {
    case 'started':
      return { ...detail, status: 'running', cellsTotal: event.cellsTotal };
    case 'plan':
      return { ...detail, plan: { points: event.points, seeds: event.seeds, testClips: event.testClips }, cellsDone: event.cellsDone, cellsTotal: event.cellsTotal };
    case 'cleanProgress':
      return detail; // not sent to clients
    case 'clean':
      return { ...detail, clean: [...detail.clean.filter((c) => c.model !== event.model), { model: event.model, top1: event.top1, macroF1: event.macroF1, mAP: event.mAP }] };
    case 'cell':
      return { ...detail, cells: [...detail.cells.filter((c) => c.key !== event.summary.key), event.summary], cellsDone: event.cellsDone, cellsTotal: event.cellsTotal };
    case 'done':
      return { ...detail, status: 'done', results: event.results ?? detail.results, cellsDone: event.results?.cellsDone ?? detail.cellsDone };
    case 'cancelled':
      return { ...detail, status: 'cancelled', cellsDone: event.cellsDone };
    case 'failed':
      return { ...detail, status: 'failed', error: { code: event.code, message: event.message } };
  }
}
