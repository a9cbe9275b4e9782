import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN_THREAD_FLAGS } from '../../src/moduleStart.ts';
import { makeLayout, REPO_ROOT } from '../helpers/audio.ts';
import { runMain } from '../helpers/cli.ts';

// The help and the refusal in-process through main(); serving as a real process.
describe('earshot serve', () => {
  it('--help documents the flags and the token rule', async () => {
    const run = await runMain(['serve', '--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--host', '--port', '--token', '--allow-origin', '--device', '--workers', '--models-dir', '--rir-dir', '--noise-dir', '--probes-dir', '--uploads']) expect(run.stdout).toContain(flag);
    const text = run.stdout.replace(/\s+/g, ' ');
    expect(text).toMatch(/Binds to 127\.0\.0\.1 by default/);
    expect(text).toMatch(/--token \(or EARSHOT_TOKEN\) is required/);
    expect(text).toMatch(/the shipped models\/probes and models\/trained are always offered/);
  });

  it('refuses to listen beyond loopback without a token, saying how to fix it', async () => {
    const run = await runMain(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^earshot: error: refusing to listen on 0\.0\.0\.0 without a token.*Give --token T/m);
  });

  it('refuses a limit that is not a positive number before it listens, naming the flag and the value', async () => {
    for (const [flag, value, noun] of [['--min-hop', '0', 'a number of seconds'], ['--uploads-quota', '1GB', 'a number'], ['--max-push-speed', '', 'a number']] as const) {
      const run = await runMain(['serve', '--port', '0', flag, value]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`earshot: error: ${flag} must be ${noun} above 0, got ${JSON.stringify(value)}\n`);
    }
  });

  // A real process: it listens, answers, and stops on a signal.
  it('serves until SIGINT, then closes cleanly', async () => {
    const sweepData = await makeLayout(join(REPO_ROOT, 'test', 'output'), 'serve-sweep-data', { 'yes/1.wav': 1, 'no/2.wav': 2 });
    const args = ['serve', '--port', '0', '--uploads', join(REPO_ROOT, 'test', 'output', 'serve-uploads'), '--sweeps', join(REPO_ROOT, 'test', 'output', 'serve-sweeps'), '--sweep-data', sweepData];
    // Started as `earshot serve` is from a shell: the file itself, through its shebang.
    const child = spawn(join(REPO_ROOT, 'bin', 'earshot.js'), args, { cwd: REPO_ROOT });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no address announced: ${stderr}`)), 60_000);
      child.stderr.on('data', () => {
        const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (!m) return;
        clearTimeout(t);
        resolve(m[1]);
      });
    });
    expect(await (await fetch(`${url}/api/health`)).json()).toMatchObject({ status: 'ok', server: 'earshot' });
    // The shebang's flags reached the process (MAIN_THREAD_FLAGS: Node 20's deadlock).
    const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(1, 1 + MAIN_THREAD_FLAGS.length)).toEqual(MAIN_THREAD_FLAGS);
    // --sweep-data: the dashboard offers that folder by name for sweeps.
    expect(await (await fetch(`${url}/api/datasets`)).json()).toMatchObject([{ name: 'serve-sweep-data', classes: ['no', 'yes'] }]);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toMatch(/SIGINT: stopping streams and closing/);
  });
});
