import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN_THREAD_FLAGS } from '../../src/moduleStart.ts';
import { REPO_ROOT } from './audio.ts';

/**
 * `node` followed by these starts the earshot command as its shebang does: bin/earshot.js with the
 * V8 flags every earshot process runs with (MAIN_THREAD_FLAGS).
 */
export const EARSHOT_NODE_ARGS: readonly string[] = [...MAIN_THREAD_FLAGS, join(REPO_ROOT, 'bin', 'earshot.js')];

/** What one run of the real `earshot` binary did. */
export interface CliRun {
  /** Exit status (null if it was killed). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `node bin/earshot.js ...args` from the repository root, as a user would: the
 * compiled program in dist/, which `npm test` builds before the tests. Never rejects: the
 * exit status is in `code`. EARSHOT_DEBUG is cleared so errors print as users see them.
 * Past `timeoutMs` the process writes a Node diagnostic report (its JavaScript stacks,
 * its threads' and its open handles, in test/output/reports: what a stuck run was waiting
 * on), and is then killed outright; a sweep would take SIGTERM as "finish the cells in
 * flight" and outlive the test. The report's path ends stderr.
 */
export function runCli(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  const env = { ...process.env };
  delete env.EARSHOT_DEBUG;
  const reports = join(REPO_ROOT, 'test', 'output', 'reports');
  mkdirSync(reports, { recursive: true });
  // Through NODE_OPTIONS, not the command line: worker threads inherit the command line's flags and refuse these.
  env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --report-on-signal --report-signal=SIGUSR2 --report-directory=${reports}`.trim();
  return new Promise((resolve) => {
    let timedOut = false;
    const child = execFile(process.execPath, [...EARSHOT_NODE_ARGS, ...args], { cwd: REPO_ROOT, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      clearTimeout(timer);
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr: timedOut ? `${stderr}\n[runCli: no exit within ${timeoutMs} ms; diagnostic report in ${reports}, pid ${child.pid}]` : stderr });
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGUSR2');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
  });
}

/** The non-empty lines of a stream, without commander's "(add --help for usage)" hint. */
export function messageLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== '(add --help for usage)');
}

/** runMain's runs, one after another: each takes over this process's stdout and stderr while it runs. */
let running: Promise<unknown> = Promise.resolve();

/**
 * Run the CLI's `main()` in this process (no start-up cost), capturing what it writes to
 * stdout and stderr; for tests of messages, outputs and exit codes where the process
 * boundary is not what is tested. Calls run one at a time, so Promise.all over several is safe.
 * Worker threads a command starts run their compiled modules, as in `runCli`'s process
 * (EARSHOT_START_COMPILED, src/moduleStart.ts).
 */
export function runMain(args: string[]): Promise<CliRun & { code: number }> {
  const run = running.then(() => mainOnce(args));
  running = run.catch(() => {});
  return run;
}

async function mainOnce(args: string[]): Promise<CliRun & { code: number }> {
  const out = { stdout: '', stderr: '' };
  const capture = (key: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      out[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    const { main } = await import('../../src/cli.ts');
    return { code: await main(['node', 'earshot', ...args]), ...out };
  } finally {
    [process.stdout.write, process.stderr.write] = [stdout, stderr];
  }
}
