// Entry of a sweep worker thread (started by CellPool).
import { parentPort } from 'node:worker_threads';
import { LRUCache } from 'lru-cache';
import { CellWorker } from './cellWorker.ts';
import type { ThreadReply, ThreadStop, ThreadTask } from './cellPool.ts';
import type { SweepContext } from './types.ts';

const worker = new CellWorker();
// The last contexts this thread was sent; the pool sends each once per thread.
const contexts = new LRUCache<string, SweepContext>({ max: 4 });

parentPort!.on('message', async (task: ThreadTask | ThreadStop) => {
  if (task.type === 'stop') {
    worker.stop(); // the task under way gives up at its next clip and answers as usual
    return;
  }
  let reply: ThreadReply;
  try {
    if (task.type === 'warm') {
      await worker.warmUp(task.spec, task.model, task.files);
      reply = { id: task.id, ok: true, warmed: true };
    } else if (task.type === 'clean') {
      reply = { id: task.id, ok: true, ...(await worker.embedClean(task.spec, task.model, task.files, task.cacheDir)) };
    } else {
      if (task.context) contexts.set(task.context.id, task.context);
      const context = contexts.get(task.contextId);
      if (!context) throw new Error(`sweep context ${task.contextId} was never sent to this thread`);
      reply = { id: task.id, ok: true, record: await worker.runCell(context, task.cell, task.part) };
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    reply = { id: task.id, ok: false, error: { message: e.message, code: e.code, stack: e.stack } };
  }
  parentPort!.postMessage(reply);
});
