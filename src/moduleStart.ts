/**
 * How a worker thread or child process starts on one of earshot's modules.
 *
 * The program runs as compiled JavaScript (dist/, built by `npm install`), where a
 * thread starts on the module's own .js file. The tests and `tsx` run the
 * TypeScript sources, which Node cannot start a thread on: there a plain-JS
 * bootstrap (tsBootstrap.js) registers tsx's loader, then imports the module.
 */

import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/** True in the compiled program, false when running the TypeScript sources. */
export const COMPILED = import.meta.url.endsWith('.js');

const TS_BOOTSTRAP = new URL('./tsBootstrap.js', import.meta.url);
const SOURCE_ROOT = new URL('..', import.meta.url);

/**
 * Set by the test suite, which compiles before it runs (vitest.config.ts): there a thread or process
 * started from the sources runs the module's compiled twin in dist/, as the program does, instead of
 * booting tsx (about 1 s of CPU for a sweep's cell thread, a few hundred ms for an ONNX worker).
 */
const START_COMPILED = !COMPILED && process.env.EARSHOT_START_COMPILED === '1';

/**
 * The file to start a thread or process on, and the module it is to run.
 * Worker threads pass `entry` as `workerData.entry`, child processes as their
 * first argument; the compiled module ignores it.
 *
 * @param source the module's TypeScript source, e.g. `new URL('./onnxWorker.ts', import.meta.url)`
 */
export function moduleStart(source: URL): { file: URL; entry: string } {
  serialCompilationInThreads();
  const compiled = COMPILED ? new URL(source.href.replace(/\.ts$/, '.js')) : START_COMPILED ? compiledTwin(source) : null;
  if (compiled === null) return { file: TS_BOOTSTRAP, entry: source.href };
  return { file: compiled, entry: compiled.href };
}

/** dist/X.js for the source X.ts, when it has been compiled. */
function compiledTwin(source: URL): URL | null {
  if (!source.href.startsWith(SOURCE_ROOT.href) || !source.href.endsWith('.ts')) return null;
  const twin = new URL(`dist/${source.href.slice(SOURCE_ROOT.href.length).replace(/\.ts$/, '.js')}`, SOURCE_ROOT);
  return existsSync(twin) ? twin : null;
}

let threadsCompileSerially = false;

/**
 * Worker threads created from now on optimise their code on their own thread.
 * With V8's background compiler, Node 20 can deadlock a thread for good: its
 * loop goes idle and waits in NodePlatform::DrainTasks for every background
 * task, while its own background compile job waits for a garbage collection
 * only that thread can run (nodejs/node#54918). A sweep then stalled about
 * one run in ten on a busy 2-core machine, every thread asleep. V8 reads the
 * flag when it creates an isolate, so this process's main thread keeps
 * compiling in the background; a thread only loses the overlap of compiling
 * with running, a few milliseconds per hot function.
 */
function serialCompilationInThreads(): void {
  if (threadsCompileSerially) return;
  setFlagsFromString('--no-concurrent-recompilation');
  threadsCompileSerially = true;
}

/**
 * V8 flags every earshot process's main thread runs with: the shebang of bin/earshot.js, `npm start`
 * (and `npm run bench`, `fidelity`), and the children earshot forks carry them. With V8's background compiler, Node 20 can deadlock
 * a main thread as it can a worker's (see serialCompilationInThreads): each time its event loop
 * runs dry (an await that only V8's own threads will end, the end of the process) it waits in
 * NodePlatform::DrainTasks, and at exit in NodePlatform::Shutdown, for every background task, while
 * an optimising compile job waits for a garbage collection only the main thread runs
 * (nodejs/node#54918, open). A render stalled at 0% CPU about one run in 40 on a busy 2-core
 * machine. V8 reads the flag only when it creates the isolate, so it must be on the command line.
 */
export const MAIN_THREAD_FLAGS: readonly string[] = ['--no-concurrent-recompilation'];

/**
 * The parent's Node options minus those a worker refuses or must not repeat:
 * the `-e`/`-p` script and `--input-type` (a worker started by `node
 * --input-type=module -e ...` dies on them), and MAIN_THREAD_FLAGS (V8 flags,
 * which a worker refuses; serialCompilationInThreads sets its equivalent).
 * Loader flags such as `--import tsx` and memory limits pass through.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    if (['-e', '--eval', '-p', '-pe', '--print', '--input-type'].includes(arg)) i++;
    else if (!/^(--eval|--print|--input-type)=/.test(arg) && !MAIN_THREAD_FLAGS.includes(arg)) out.push(arg);
  }
  return out;
}

/** The Node options of a child process earshot forks: the parent's, as for a worker, and MAIN_THREAD_FLAGS. */
export function childExecArgv(execArgv: readonly string[]): string[] {
  return [...MAIN_THREAD_FLAGS, ...workerExecArgv(execArgv)];
}
