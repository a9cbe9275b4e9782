/**
 * Run `work` with a timer holding the event loop open. On Node 20, when the loop has nothing left
 * to wait on (an await that no file, socket or timer will end, such as V8 compiling WebAssembly on
 * its own threads), the main thread waits for every V8 background task in NodePlatform::DrainTasks;
 * an optimising-compiler job that meanwhile needs a garbage collection, which only the main thread
 * runs, then waits for it forever (nodejs/node#54918; seen as a render stalled at 0% CPU). With the
 * timer pending the loop keeps turning and serves the collection. MAIN_THREAD_FLAGS (src/moduleStart.ts)
 * rule the deadlock out; this is bin/earshot.js's fallback when it is run without them.
 */
export async function keepLoopBusy<T>(work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
