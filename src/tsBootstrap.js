// Start of a worker thread or child process when running the TypeScript
// sources (tests, tsx): registers tsx's loader, then imports the module that
// src/moduleStart.ts names (workerData.entry in a thread, argv[2] in a process).
// The compiled program starts on its .js modules directly and never loads this.
import { register } from 'tsx/esm/api';
import { isMainThread, workerData } from 'node:worker_threads';

register();
await import(isMainThread ? process.argv[2] : workerData.entry);
