import { spawn, type ChildProcess } from 'node:child_process';
import { EARSHOT_NODE_ARGS } from './cli.ts';

/**
 * `earshot serve ...args` as its own process (the compiled CLI, as a user runs it), on a free
 * loopback port unless `args` name one; resolves with its address once it says it serves, rejects
 * with its stderr when it exits first or is not up within a minute.
 *
 * @example
 * const { child, http } = await spawnServe(['--device', 'cpu', '--uploads', dir]);
 */
export async function spawnServe(args: string[], nodeArgs: string[] = []): Promise<{ child: ChildProcess; http: string }> {
  const child = spawn(process.execPath, [...nodeArgs, ...EARSHOT_NODE_ARGS, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const http = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`earshot serve did not start: ${stderr}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /serving on (http:\/\/[\d.:]+)/.exec(stderr);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`earshot serve exited (${code}): ${stderr}`)));
  });
  return { child, http };
}
