import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childExecArgv, MAIN_THREAD_FLAGS, workerExecArgv } from '../src/moduleStart.ts';
import { REPO_ROOT } from './helpers/audio.ts';

// A process that starts a thread the way earshot does (moduleStart) and traces V8's optimising compiler:
// the thread must compile on its own thread. With the background compiler, Node 20 can deadlock a thread
// whose loop waits in DrainTasks while its compile job waits for a GC only that thread runs (a sweep
// stalled that way); the main thread keeps compiling in the background.
const SCRIPT = `
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
const { moduleStart } = await import('./dist/src/moduleStart.js');
setFlagsFromString('--trace-opt');
moduleStart(new URL('./dist/src/sweep/cellThread.js', import.meta.url));
const hot = 'function f(a){let s=0;for(let i=0;i<a.length;i++)s+=a[i]*i;return s} const a=new Float64Array(1000); let t=0; for(let k=0;k<20000;k++)t+=f(a);';
await new Promise((resolve) => new Worker(hot, { eval: true }).once('exit', resolve));
`;

describe('threads started through moduleStart', () => {
  it('optimise their code on their own thread, not in V8 background jobs', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const compiles = run.stdout.split('\n').filter((l) => /^\[compiling method .*JSFunction f /.test(l));
    expect(compiles.length).toBeGreaterThan(0);
    for (const line of compiles) expect(line).toMatch(/ConcurrencyMode::kSynchronous/);
  });
});

// The same trace for a process's main thread: V8 reads the flag only when it creates the isolate, so
// every earshot process carries it on its command line (MAIN_THREAD_FLAGS), and the children it forks too.
describe('main threads', () => {
  const HOT = 'function f(a){let s=0;for(let i=0;i<a.length;i++)s+=a[i]*i;return s} const a=new Float64Array(1000); let t=0; for(let k=0;k<20000;k++)t+=f(a);';
  const modes = (flags: readonly string[]) => {
    const run = spawnSync(process.execPath, [...flags, '--trace-opt', '-e', HOT], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    return new Set(run.stdout.split('\n').filter((l) => /^\[compiling method .*JSFunction f /.test(l)).map((l) => /ConcurrencyMode::(\w+)/.exec(l)?.[1]));
  };

  it('optimise on the main thread with MAIN_THREAD_FLAGS, in background jobs without them', () => {
    expect(modes(MAIN_THREAD_FLAGS)).toEqual(new Set(['kSynchronous']));
    expect(modes([])).toEqual(new Set(['kConcurrent']));
  });

  it('carry the flags into forked children but not into worker threads, which refuse them', () => {
    const parent = ['--import', 'tsx', ...MAIN_THREAD_FLAGS, '-e', 'x'];
    expect(workerExecArgv(parent)).toEqual(['--import', 'tsx']);
    expect(childExecArgv(parent)).toEqual([...MAIN_THREAD_FLAGS, '--import', 'tsx']);
    const script = `new (require('node:worker_threads').Worker)('0', { eval: true, execArgv: ${JSON.stringify(workerExecArgv([...MAIN_THREAD_FLAGS]))} }).on('exit', (c) => console.log('exit', c));`;
    const run = spawnSync(process.execPath, [...MAIN_THREAD_FLAGS, '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('exit 0\n');
  });

  it('are the command line of bin/earshot.js (its shebang) and of `npm start`', () => {
    const shebang = readFileSync(join(REPO_ROOT, 'bin', 'earshot.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${MAIN_THREAD_FLAGS.join(' ')}`);
    const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(scripts.start).toBe(`node ${MAIN_THREAD_FLAGS.join(' ')} bin/earshot.js serve`);
  });
});
