import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p`: make `dir` and any missing parents; a folder already there is fine.
 *
 * Not Node's `mkdir(dir, { recursive: true })`: where a parent exists but refuses new
 * entries with ENOENT (procfs, sysfs: `-o /proc/out`), that call retries forever at full
 * CPU. Here each level is made once, so such a path fails with the system's ENOENT.
 */
export async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && (await stat(dir)).isDirectory()) return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw err;
    await makeDirectory(parent);
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again; // made meanwhile by someone else: fine
    });
  }
}
