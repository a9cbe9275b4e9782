import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { errorCode } from '../../src/errors.ts';
import { childExecArgv, moduleStart } from '../../src/moduleStart.ts';
import type { SweepEvent, SweepResults, SweepSpec } from '../../src/sweep/types.ts';
import type { SweepInput } from '../../src/sweep/run.ts';
import type { FromSweepProcess, ToSweepProcess } from './protocol.ts';

export type { SweepInput };

const START = moduleStart(new URL('./sweepProcess.ts', import.meta.url));
/** After its last message, or a cancel, a process still alive this much later is killed (a cancel lets the engine write its outputs). */
const EXIT_GRACE_MS = 15_000;

export type SweepEnd =
  | { outcome: 'done'; results: SweepResults }
  | { outcome: 'cancelled'; results: SweepResults | null }
  | { outcome: 'failed'; error: { code: string; message: string } };

export interface SweepProcess {
  /** Ask the sweep to stop; it is killed if it has not exited within `graceMs`. */
  cancel(graceMs?: number): void;
  /** Settles (never rejects) once the process has exited. */
  ended: Promise<SweepEnd>;
}

/** The engine's spec builder (src/sweep/run.ts), imported on the first sweep so that a server that never sweeps never loads the engine. */
export async function specFromInput(input: SweepInput): Promise<SweepSpec> {
  const engine = await import('../../src/sweep/run.ts');
  return engine.specFromInput(input);
}

/**
 * Run one sweep in a child process of its own. Its threads run native ONNX
 * sessions and its main thread aggregates and renders the report; out of
 * process, neither a native crash nor that CPU work reaches the server's
 * event loop. A process that dies without reporting its end counts as
 * failed (or cancelled, when a cancel was asked for); the cells it finished
 * are on disk either way.
 */
export function startSweepProcess(spec: SweepSpec, opts: { out: string; threads: number | undefined; onEvent(e: SweepEvent): void; onLog(line: string): void }): SweepProcess {
  const child = fork(fileURLToPath(START.file), [START.entry], { execArgv: childExecArgv(process.execArgv), stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  let end: SweepEnd | undefined;
  let cancelled = false;
  let stderr = '';
  let killTimer: NodeJS.Timeout | undefined;
  const killLater = (graceMs = EXIT_GRACE_MS) => {
    clearTimeout(killTimer);
    killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    killTimer.unref();
  };
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.on('message', (msg: FromSweepProcess) => {
    if (msg.type === 'event') opts.onEvent(msg.event);
    else if (msg.type === 'log') opts.onLog(msg.line);
    else {
      end = msg.outcome === 'failed' ? { outcome: 'failed', error: { code: msg.error.code, message: msg.error.message } } : { outcome: msg.outcome, results: msg.results };
      if (msg.outcome === 'failed' && msg.error.stack) opts.onLog(msg.error.stack);
      killLater();
    }
  });
  const ended = new Promise<SweepEnd>((resolve) => {
    const finish = (why: string) => {
      clearTimeout(killTimer);
      if (end === undefined && stderr.trim()) opts.onLog(`sweep process stderr: ${stderr.trim()}`);
      resolve(end ?? (cancelled ? { outcome: 'cancelled', results: null } : { outcome: 'failed', error: { code: errorCode('WORKER_CRASHED'), message: `the sweep's process ended unexpectedly (${why}); the cells it finished are kept` } }));
    };
    child.once('exit', (code, signal) => finish(signal ?? `exit code ${code}`));
    child.once('error', (err) => {
      child.kill('SIGKILL');
      finish(err.message);
    });
  });
  send({ type: 'run', spec, out: opts.out, threads: opts.threads });

  function send(msg: ToSweepProcess): void {
    if (child.connected) child.send(msg);
  }

  return {
    cancel(graceMs) {
      cancelled = true;
      send({ type: 'cancel' });
      killLater(graceMs);
    },
    ended,
  };
}
