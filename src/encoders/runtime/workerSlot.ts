import { Worker } from 'node:worker_threads';
import { moduleStart } from '../../moduleStart.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';

const START = moduleStart(new URL('./onnxWorker.ts', import.meta.url));

/** A slot gives up restarting after this many crashes in a row with no answer in between. */
export const MAX_CONSECUTIVE_CRASHES = 3;

/**
 * One worker thread of the pool and what it owes: at most one run (`job`)
 * and the graph loads it was asked for. When its thread dies the slot starts
 * a new one and posts every load again, so the new thread holds the same
 * sessions. It keeps the process alive only while it owes an answer.
 */
export class WorkerSlot<Job> {
  worker!: Worker;
  job: Job | undefined;
  /** Crashes in a row since the last answer; `dead` after MAX_CONSECUTIVE_CRASHES. */
  crashes = 0;
  dead = false;
  readonly loads = new Map<number, Extract<ToWorker, { type: 'load' }>>();
  readonly pendingLoads = new Map<number, (msg: Extract<FromWorker, { type: 'loaded' }>) => void>();
  private closing = false;
  private lastError = '';

  constructor(
    private readonly init: Omit<WorkerInit, 'entry'>,
    private readonly onMessage: (slot: WorkerSlot<Job>, msg: FromWorker) => void,
    private readonly onCrash: (slot: WorkerSlot<Job>, reason: string) => void,
  ) {
    this.start();
  }

  post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (msg.type === 'load') this.loads.set(msg.graphId, msg);
    this.worker.postMessage(msg, transfer);
    this.updateRef();
  }

  /** Ask the worker to load a graph; resolves with its answer (after a restart, the new thread's). */
  load(msg: Extract<ToWorker, { type: 'load' }>): Promise<Extract<FromWorker, { type: 'loaded' }>> {
    return new Promise((resolve) => {
      this.pendingLoads.set(msg.graphId, resolve);
      this.post(msg);
    });
  }

  /** Forget a graph whose load failed, so a restart does not load it again. */
  forget(graphId: number): void {
    this.loads.delete(graphId);
  }

  updateRef(): void {
    if (this.job !== undefined || this.pendingLoads.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  async terminate(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  private start(): void {
    this.lastError = '';
    const worker = new Worker(START.file, { workerData: { ...this.init, entry: START.entry } satisfies WorkerInit, execArgv: workerExecArgv(process.execArgv) });
    this.worker = worker;
    worker.on('message', (msg: FromWorker) => {
      this.crashes = 0;
      if (msg.type === 'loaded') {
        const resolve = this.pendingLoads.get(msg.graphId);
        this.pendingLoads.delete(msg.graphId);
        resolve?.(msg);
      }
      this.onMessage(this, msg);
      this.updateRef();
    });
    worker.on('error', (err) => {
      this.lastError = err instanceof Error ? err.message : String(err);
    });
    worker.on('exit', (code) => {
      if (this.closing || worker !== this.worker) return;
      this.crashes++;
      const reason = this.lastError !== '' ? `uncaught error: ${this.lastError}` : `exit code ${code}`;
      this.dead = this.crashes >= MAX_CONSECUTIVE_CRASHES;
      if (!this.dead) {
        this.start();
        for (const load of this.loads.values()) this.worker.postMessage(load);
        this.updateRef();
      } else {
        for (const [graphId, resolve] of this.pendingLoads) resolve({ type: 'loaded', graphId, ok: false, error: `its worker thread crashed ${this.crashes} times in a row (${reason})` });
        this.pendingLoads.clear();
      }
      this.onCrash(this, reason);
    });
  }
}

/**
 * The parent's Node options minus those a worker refuses or must not repeat:
 * the `-e`/`-p` script and `--input-type` (a worker started by `node
 * --input-type=module -e ...` dies on them). Loader flags such as
 * `--import tsx` and memory limits pass through.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    if (['-e', '--eval', '-p', '-pe', '--print', '--input-type'].includes(arg)) i++;
    else if (!/^(--eval|--print|--input-type)=/.test(arg)) out.push(arg);
  }
  return out;
}
