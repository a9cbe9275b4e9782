import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode, isEarshotError } from '../../src/errors.ts';
import { runSweep } from '../../src/sweep/run.ts';
import type { SweepResults } from '../../src/sweep/types.ts';
import type { FromSweepProcess, ToSweepProcess } from './protocol.ts';
import { writePublicReport } from './report.ts';

/**
 * The child process one sweep runs in (started by runner.ts): it runs
 * the engine, reports its events over IPC, writes the report the API serves,
 * and exits. Losing the server (IPC closed) cancels the sweep.
 */
const controller = new AbortController();

function send(msg: FromSweepProcess): void {
  process.send?.(msg);
}

async function run(msg: Extract<ToSweepProcess, { type: 'run' }>): Promise<void> {
  let end: FromSweepProcess;
  try {
    const results = await runSweep(msg.spec, {
      out: msg.out,
      threads: msg.threads,
      signal: controller.signal,
      onEvent: (event) => send({ type: 'event', event }),
      log: (line) => send({ type: 'log', line }),
    });
    end = { type: 'end', outcome: controller.signal.aborted ? 'cancelled' : 'done', results };
  } catch (err) {
    const e = err as Error & { code?: string };
    end = { type: 'end', outcome: 'failed', error: { code: isEarshotError(err) ? e.code! : errorCode('INTERNAL'), message: e?.message ?? String(err), stack: e?.stack } };
  }
  // The engine writes its outputs even when it stops early or fails; the served report follows them.
  const results = await readFile(join(msg.out, 'results.json'), 'utf8').then((t) => JSON.parse(t) as SweepResults, () => null);
  if (results) await writePublicReport(msg.out, results).catch((err: unknown) => send({ type: 'log', line: `report not written: ${(err as Error).message}` }));
  send(end);
  process.disconnect?.();
}

process.on('message', (msg: ToSweepProcess) => {
  if (msg.type === 'run') void run(msg);
  else if (msg.type === 'cancel') controller.abort();
});
process.on('disconnect', () => controller.abort());
