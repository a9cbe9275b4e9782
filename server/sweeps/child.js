// Bootstrap of a sweep's child process: Node cannot start a .ts file by
// itself, so this plain ESM file registers tsx's loader, then imports the
// TypeScript entry. Works under bin/earshot.js, vitest and `tsx script.ts`.
import { register } from 'tsx/esm/api';

register();
await import('./sweepProcess.ts');
