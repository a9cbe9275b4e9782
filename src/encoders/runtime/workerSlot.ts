import { PoolThread, type ThreadEvents } from '../../poolThread.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';

/** A slot gives up restarting after this many crashes in a row with no answer in between. */
export const MAX_CONSECUTIVE_CRASHES = 3;

type Load = Extract<ToWorker, { type: 'load' }>;
type Loaded = Extract<FromWorker, { type: 'loaded' }>;

/**
 * One worker thread of the OnnxPool and the graph loads it was asked for (which keep the
 * process alive too). When its thread dies the slot starts a new one and posts every load
 * again, so the new thread holds the same sessions.
 */
export class WorkerSlot<Job> extends PoolThread<Job, FromWorker> {
  /** Crashes in a row since the last answer; `dead` after MAX_CONSECUTIVE_CRASHES. */
  crashes = 0;
  dead = false;
  readonly loads = new Map<number, Load>();
  private readonly pendingLoads = new Map<number, (msg: Loaded) => void>();

  constructor(init: Omit<WorkerInit, 'entry'>, events: ThreadEvents<Job, FromWorker>) {
    super(new URL('./onnxWorker.ts', import.meta.url), events, { workerData: init });
  }

  /** Ask the worker to load a graph; resolves with its answer (after a restart, the new thread's). */
  load(msg: Load): Promise<Loaded> {
    return new Promise((resolve) => {
      this.loads.set(msg.graphId, msg);
      this.pendingLoads.set(msg.graphId, resolve);
      this.post(msg);
    });
  }

  /** Answer every load under way with a failure. */
  failLoads(error: string): void {
    for (const [graphId, resolve] of this.pendingLoads) resolve({ type: 'loaded', graphId, ok: false, error });
    this.pendingLoads.clear();
  }

  protected override get busy(): boolean {
    return super.busy || this.pendingLoads.size > 0;
  }

  protected override received(msg: FromWorker): void {
    this.crashes = 0;
    if (msg.type === 'loaded') {
      this.pendingLoads.get(msg.graphId)?.(msg);
      this.pendingLoads.delete(msg.graphId);
    }
    super.received(msg);
  }

  protected override exited(reason: string): void {
    if (this.ending) return;
    const why = this.error ? `uncaught error: ${reason}` : reason;
    this.crashes++;
    this.dead = this.crashes >= MAX_CONSECUTIVE_CRASHES;
    if (this.dead) this.failLoads(`its worker thread crashed ${this.crashes} times in a row (${why})`);
    super.exited(why);
    if (this.dead) return;
    this.spawn();
    for (const load of this.loads.values()) this.post(load);
  }
}
