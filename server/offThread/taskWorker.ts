import { parentPort } from 'node:worker_threads';
import { TASKS, type TaskName } from './tasks.ts';

/** A task as the pool posts it. */
export interface TaskRequest {
  id: number;
  task: TaskName;
  args: unknown[];
}

/** Its answer: the result, or the error's code, status and message (earshot errors keep their code); `cpuMs` this thread spent. */
export type TaskReply = { id: number; cpuMs: number } & ({ result: unknown } | { error: { message: string; code?: string; statusCode?: number } });

// One task at a time (the pool gives each thread one), so the CPU time measured is this task's.
parentPort!.on('message', async ({ id, task, args }: TaskRequest) => {
  const start = process.cpuUsage();
  let reply: TaskReply;
  try {
    const result = await (TASKS[task] as (...a: unknown[]) => Promise<unknown>)(...args);
    reply = { id, cpuMs: cpuMsSince(start), result };
  } catch (err) {
    const e = err as { message?: string; code?: string; statusCode?: number };
    reply = { id, cpuMs: cpuMsSince(start), error: { message: String(e?.message ?? err), code: e?.code, statusCode: e?.statusCode } };
  }
  parentPort!.postMessage(reply, 'result' in reply ? transferables(reply.result) : []);
});

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

// Typed arrays of the result (one level into arrays and objects) go back without a copy.
function transferables(value: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number) => {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
    else if (depth < 2 && Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (depth < 2 && v !== null && typeof v === 'object') for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(value, 0);
  return [...out];
}
