// Worker bootstrap. Node cannot start a worker on a .ts file by itself (and
// vitest's transform does not reach worker threads), so this plain ESM file
// registers tsx's loader in the worker, then imports the TypeScript entry
// named in workerData. The same file works under `bin/earshot.js` (tsx),
// vitest and `tsx script.ts`.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
