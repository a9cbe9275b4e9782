import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';
import { moduleStart, workerExecArgv } from './moduleStart.ts';

/** What a pool hears from a thread: its replies, and its exit (a crash, or terminate()) with the job it had under way. */
export interface ThreadEvents<Job, Reply> {
  message(reply: Reply): void;
  exit(reason: string, job: Job | undefined): void;
}

/**
 * One worker thread of a pool, running one job at a time and keeping the process alive only
 * while it owes an answer. It starts through moduleStart, whose V8 flag keeps Node 20 threads
 * from deadlocking. Its end is reported once, on 'exit', with the uncaught error that caused
 * it, else the exit code. `idleMs`: end the thread after that long without a job.
 */
export class PoolThread<Job, Reply> {
  job: Job | undefined;
  /** terminate() was called (also by the idle timer): the thread takes no more jobs. */
  ending = false;
  /** The uncaught error that is ending the current worker, if any. */
  protected error: string | undefined;
  private worker!: Worker;
  private idleTimer: NodeJS.Timeout | undefined;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly source: URL,
    private readonly events: ThreadEvents<Job, Reply>,
    private readonly options: { workerData?: object; resourceLimits?: ResourceLimits; idleMs?: number } = {},
  ) {
    this.spawn();
  }

  /** Send the thread `job`, posted as `msg`. */
  run(job: Job, msg: unknown, transfer: readonly Transferable[] = []): void {
    clearTimeout(this.idleTimer);
    this.job = job;
    this.post(msg, transfer);
  }

  /** Take back the job the thread has answered (in the pool's message handler: the thread unrefs after it). */
  finish(): Job | undefined {
    const job = this.job;
    this.job = undefined;
    this.onIdle?.();
    if (this.options.idleMs !== undefined) this.idleTimer = setTimeout(() => void this.terminate(), this.options.idleMs).unref();
    return job;
  }

  post(msg: unknown, transfer: readonly Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
    this.updateRef();
  }

  /** End the thread once its job is answered, or after graceMs: terminating a thread inside a native ONNX run aborts the whole process. */
  async stop(graceMs: number): Promise<void> {
    if (this.job !== undefined) await new Promise<void>((resolve) => {
      this.onIdle = resolve;
      setTimeout(resolve, graceMs).unref();
    });
    await this.terminate();
  }

  async terminate(): Promise<void> {
    this.ending = true;
    await this.worker.terminate();
  }

  /** Whether the thread owes an answer, and so keeps the process alive. */
  protected get busy(): boolean {
    return this.job !== undefined;
  }

  protected updateRef(): void {
    if (this.busy) this.worker.ref();
    else this.worker.unref();
  }

  /** Start the worker (again, for a pool that restarts a crashed thread in place). */
  protected spawn(): void {
    const start = moduleStart(this.source);
    const { workerData, resourceLimits } = this.options;
    const worker = new Worker(start.file, { workerData: { ...workerData, entry: start.entry }, execArgv: workerExecArgv(process.execArgv), resourceLimits });
    this.worker = worker;
    this.error = undefined;
    worker.unref();
    worker.on('message', (reply: Reply) => this.received(reply));
    worker.on('error', (err: unknown) => (this.error = err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code: number) => this.exited(this.error || `exit code ${code}`));
  }

  protected received(reply: Reply): void {
    this.events.message(reply);
    this.updateRef();
  }

  protected exited(reason: string): void {
    const job = this.finish();
    clearTimeout(this.idleTimer);
    this.events.exit(reason, job);
  }
}
