import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/audio.ts';
import { EARSHOT_NODE_ARGS, runCli, type CliRun } from '../helpers/cli.ts';

const OUT = join(REPO_ROOT, 'test', 'output', 'sweep-redis');
/** 1 model × 2 SNR × 2 RT60 × 2 seeds = 8 cells, over the shipped spoken digits (30 clips): small enough for CI on 2 cores. */
const GRID = ['--model', 'oww-speech-embedding', '--snr', '20,0', '--rt60', '0,0.3', '--seeds', '2', '--yes', '--no-cache'];
const DIGITS = join(REPO_ROOT, 'speech', 'digits');
const SWEEP_TIMEOUT_MS = 240_000;

interface Child {
  name: string;
  process: ChildProcess;
  /** stdout and stderr so far. */
  output: string;
}

const children: Child[] = [];

function start(name: string, command: string, args: string[]): Child {
  const env = { ...process.env };
  delete env.EARSHOT_DEBUG;
  const child: Child = { name, process: spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }), output: '' };
  const append = (d: Buffer) => (child.output += d.toString());
  child.process.stdout!.on('data', append);
  child.process.stderr!.on('data', append);
  child.process.on('error', (err) => (child.output += `\n${err.message}\n`)); // e.g. redis-server not installed
  children.push(child);
  return child;
}

function running(child: Child): boolean {
  return child.process.pid !== undefined && child.process.exitCode === null && child.process.signalCode === null;
}

function exited(child: Child): Promise<number | null> {
  if (!running(child)) return Promise.resolve(child.process.exitCode);
  return new Promise((resolve) => child.process.once('exit', (code) => resolve(code)));
}

function waitForOutput(child: Child, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(child.output)) done(resolve);
      else if (!running(child)) done(() => reject(new Error(`${child.name} exited before printing ${pattern}:\n${child.output}`)));
    };
    const timer = setTimeout(() => done(() => reject(new Error(`${child.name} did not print ${pattern} in ${timeoutMs} ms:\n${child.output}`))), timeoutMs);
    const done = (then: () => void) => {
      clearTimeout(timer);
      child.process.stdout!.off('data', check);
      child.process.stderr!.off('data', check);
      child.process.off('exit', check);
      then();
    };
    child.process.stdout!.on('data', check);
    child.process.stderr!.on('data', check);
    child.process.on('exit', check);
    check();
  });
}

async function stop(child: Child, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (!running(child)) return;
  child.process.kill(signal);
  const timer = setTimeout(() => running(child) && child.process.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every file under `dir` (recursively) → sha256 of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

/** Per cell key, what a cell computed (without who ran it and how long it took). */
function cellNumbers(dir: string): Record<string, unknown> {
  const lines = readFileSync(join(dir, 'cells.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const out: Record<string, unknown> = {};
  for (const line of lines) {
    const record = JSON.parse(line) as Record<string, unknown>;
    delete record.worker;
    delete record.elapsedS;
    out[record.key as string] = record;
  }
  return out;
}

function results(dir: string): Record<string, unknown> {
  const parsed = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<string, unknown>;
  delete parsed.createdAt;
  return parsed;
}

const doneLines = (child: Child) => child.output.split('\n').filter((l) => /: done in /.test(l));

describe('earshot sweep --redis with earshot workers', () => {
  const data = DIGITS;
  let redisUrl: string;
  let workers: Child[];
  const localOut = join(OUT, 'local');
  const redisOut = join(OUT, 'redis');
  let localRun: Promise<CliRun> | null = null;
  /** The local sweep, run once (the unreachable-Redis check needs its folder even when the first test fails early). */
  const localSweep = () => (localRun ??= runCli(['sweep', ...GRID, '--data', data, '-o', localOut], SWEEP_TIMEOUT_MS));

  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    const port = await freePort();
    redisUrl = `redis://127.0.0.1:${port}`;
    const redis = start('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await waitForOutput(redis, /Ready to accept connections/, 20_000);
    workers = [1, 2].map((n) => start(`worker ${n}`, process.execPath, [...EARSHOT_NODE_ARGS, 'worker', '--redis', redisUrl, '--workers', '1']));
    await Promise.all(workers.map((w) => waitForOutput(w, /running sweep cells from/)));
  }, 180_000);

  afterAll(async () => {
    // Whatever happened: no worker, sweep or redis-server outlives the tests.
    await Promise.all(children.map((c) => stop(c, 'SIGTERM', 5_000)));
  }, 30_000);

  it(
    'gives the same results as a local sweep, with cells run by both workers',
    async () => {
      const distributed = await runCli(['sweep', ...GRID, '--data', data, '-o', redisOut, '--redis', redisUrl], SWEEP_TIMEOUT_MS);
      expect(distributed.code, distributed.stderr).toBe(0);
      const local = await localSweep();
      expect(local.code, local.stderr).toBe(0);

      // Numbers travel as JSON through Redis; they must come back bit for bit.
      expect(cellNumbers(redisOut)).toEqual(cellNumbers(localOut));
      expect(Object.keys(cellNumbers(redisOut)).filter((k) => !k.startsWith('clean|'))).toHaveLength(8);
      expect(results(redisOut)).toEqual(results(localOut));

      const perWorker = workers.map((w) => doneLines(w).length);
      expect(perWorker.every((n) => n > 0), workers.map((w) => w.output).join('\n')).toBe(true);
      expect(perWorker[0] + perWorker[1]).toBe(8);
    },
    2 * SWEEP_TIMEOUT_MS,
  );

  it(
    'fails fast when nothing listens at the Redis URL, leaving an existing results folder as it was',
    async () => {
      if (!existsSync(join(localOut, 'results.json'))) expect((await localSweep()).code).toBe(0);
      const before = snapshot(localOut);
      const run = await runCli(['sweep', ...GRID, '--data', data, '-o', localOut, '--redis', 'redis://127.0.0.1:1'], 60_000);
      expect(run.code, run.stderr).not.toBe(0);
      expect(run.code).not.toBeNull(); // exited by itself (no endless reconnecting), not killed by the timeout
      expect(run.stderr).toMatch(/earshot: error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\)\. Start redis-server there or check the URL; `earshot sweep` without --redis runs on this machine alone/);
      expect(snapshot(localOut)).toEqual(before);
    },
    SWEEP_TIMEOUT_MS,
  );

  it('workers stop cleanly on SIGINT', async () => {
    await Promise.all(workers.map((w) => stop(w, 'SIGINT', 20_000)));
    for (const w of workers) {
      expect(w.process.exitCode, w.output).toBe(0);
      expect(w.output).toMatch(/SIGINT: finishing the running cells/);
      expect(w.output).toMatch(/earshot worker: stopped/);
    }
  }, 30_000);
});
