import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { trimFreedMemory } from '../../server/memoryTrim.ts';

/** A thread that allocates 190 MB in 64 KB blocks (below glibc's mmap threshold, so from its arena), frees every other one, and ends. */
function burstOnAThread(): Promise<void> {
  const code = `
    const keep = [];
    for (let i = 0; i < 3000; i++) keep.push(Buffer.allocUnsafeSlow(64 * 1024).fill(1));
    for (let i = 0; i < 3000; i += 2) keep[i] = null;
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
}

describe('trimFreedMemory (earshot serve runs it every 10 s)', () => {
  it.runIf(process.platform === 'linux')('hands what an ended thread freed back to the system', async () => {
    const before = process.memoryUsage.rss();
    await burstOnAThread();
    const kept = process.memoryUsage.rss() - before;
    // glibc keeps the ended thread's arena: RSS stays up although nothing holds that memory.
    expect(kept).toBeGreaterThan(100e6);
    const stop = await trimFreedMemory(10);
    // A timer due after the first trim's fires after it: Node runs due timers in order of their time.
    await new Promise((resolve) => setTimeout(resolve, 30));
    stop();
    expect(process.memoryUsage.rss() - before).toBeLessThan(0.3 * kept);
  });
});
