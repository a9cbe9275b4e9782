import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './audio.ts';

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
 */
export function runCli(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  const env = { ...process.env };
  delete env.EARSHOT_DEBUG;
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin', 'earshot.js'), ...args], { cwd: REPO_ROOT, env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The non-empty lines of a stream, without commander's "(add --help for usage)" hint. */
export function messageLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== '(add --help for usage)');
}

/**
 * Run the CLI's `main()` in this process (no start-up cost), capturing what it writes to
 * stderr; for tests of messages and exit codes where the process boundary is not what is tested.
 */
export async function runMain(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const { main } = await import('../../src/cli.ts');
    return { code: await main(['node', 'earshot', ...args]), stderr };
  } finally {
    process.stderr.write = write;
  }
}
