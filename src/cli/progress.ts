import cliProgress from 'cli-progress';

/**
 * A progress bar with ETA on stderr for long work; on a non-terminal stderr
 * (logs, CI) one line every 10%. Returns the update function and a stop.
 */
export function progressBar(label: string, total: number): { update: (done: number) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (done) => bar.update(done), stop: () => bar.stop() };
  }
  let lastDecile = -1;
  return {
    update: (done) => {
      const decile = Math.floor((10 * done) / total);
      if (decile > lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${label}: ${done}/${total}\n`);
      }
    },
    stop: () => {},
  };
}
