import { Command } from './commander.ts';
import { workersOption } from './numericOptions.ts';

/**
 * `earshot worker --redis URL`: run the cells of `earshot sweep --redis URL`
 * on this machine. The first SIGINT/SIGTERM stops taking cells and finishes
 * the running ones; a second gives those back to the queue at once; a third
 * leaves without waiting for anything.
 */
export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'Take cells of every sweep queued on Redis (by `earshot sweep --redis URL`) and run them on this machine, ' +
        'one per thread, until stopped. Start as many workers, on as many machines, as you like: each needs the ' +
        "sweep's data folder at the same path and the same models. Logs one line per finished cell on stderr. " +
        'Ctrl-C (or SIGTERM) finishes the running cells and exits; a second Ctrl-C hands them back to the queue for other workers.',
    )
    .requiredOption('--redis <url>', 'the Redis the sweep runs through, e.g. redis://HOST:6379')
    .option('--workers <n>', 'threads running cells (default: one per core)', workersOption)
    .action(async (opts: { redis: string; workers?: number }) => {
      // Imported here so that the other commands do not load BullMQ.
      const { runWorker } = await import('../sweep/queue/worker.ts');
      const stop = new AbortController();
      const giveBack = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (!stop.signal.aborted) {
          process.stderr.write(`earshot worker: ${signal}: finishing the running cells (${signal} again hands them back to the queue)\n`);
          stop.abort();
        } else if (!giveBack.signal.aborted) {
          process.stderr.write(`earshot worker: ${signal}: handing the running cells back to the queue (${signal} again leaves at once)\n`);
          giveBack.abort();
        } else {
          // Stuck (Redis went away while stopping): running cells come back to the queue once their locks expire.
          process.exit(130);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await runWorker(opts.redis, { threads: opts.workers, signal: stop.signal, giveBack: giveBack.signal, log: (line) => process.stderr.write(`earshot worker: ${line}\n`) });
        process.stderr.write('earshot worker: stopped\n');
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
