import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
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
