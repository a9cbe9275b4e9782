/**
 * How a worker thread or child process starts on one of earshot's modules.
 *
 * The program runs as compiled JavaScript (dist/, built by `npm install`), where a
 * thread starts on the module's own .js file. The tests and `tsx` run the
 * TypeScript sources, which Node cannot start a thread on: there a plain-JS
 * bootstrap (tsBootstrap.js) registers tsx's loader, then imports the module.
 */

import { setFlagsFromString } from 'node:v8';

/** True in the compiled program, false when running the TypeScript sources. */
export const COMPILED = import.meta.url.endsWith('.js');

const TS_BOOTSTRAP = new URL('./tsBootstrap.js', import.meta.url);

/**
 * The file to start a thread or process on, and the module it is to run.
 * Worker threads pass `entry` as `workerData.entry`, child processes as their
 * first argument; the compiled module ignores it.
 *
 * @param source the module's TypeScript source, e.g. `new URL('./onnxWorker.ts', import.meta.url)`
 */
export function moduleStart(source: URL): { file: URL; entry: string } {
  serialCompilationInThreads();
  if (!COMPILED) return { file: TS_BOOTSTRAP, entry: source.href };
  const compiled = new URL(source.href.replace(/\.ts$/, '.js'));
  return { file: compiled, entry: compiled.href };
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
 * The parent's Node options minus those a worker refuses or must not repeat:
 * the `-e`/`-p` script and `--input-type` (a worker started by `node
 * --input-type=module -e ...` dies on them). Loader flags such as
 * `--import tsx` and memory limits pass through.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i];
    if (['-e', '--eval', '-p', '-pe', '--print', '--input-type'].includes(arg)) i++;
    else if (!/^(--eval|--print|--input-type)=/.test(arg)) out.push(arg);
  }
  return out;
}
