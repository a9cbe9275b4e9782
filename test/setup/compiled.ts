import { execFile } from 'node:child_process';
import { readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_INFO = join(ROOT, 'dist', '.tsbuildinfo');
const SOURCES = ['src', 'server', 'test', 'bin', 'rirs'];

/** The newest modification time of the TypeScript sources under `dir`. */
async function newest(dir: string): Promise<number> {
  let t = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'output' && entry.name !== 'node_modules') t = Math.max(t, await newest(path));
    else if (entry.isFile() && entry.name.endsWith('.ts')) t = Math.max(t, (await stat(path)).mtimeMs);
  }
  return t;
}

/**
 * Global setup: dist/ compiled from the sources as they are. The CLI tests run bin/earshot.js, and
 * threads and processes started from the sources run their compiled twins (EARSHOT_START_COMPILED,
 * src/moduleStart.ts); `npm test` compiles first, a bare `vitest` after an edit compiles here.
 */
export default async function setup(): Promise<void> {
  const built = await stat(BUILD_INFO).then((s) => s.mtimeMs, () => 0);
  const sources = Math.max(...(await Promise.all(SOURCES.map((d) => newest(join(ROOT, d))))));
  if (sources <= built) return;
  await promisify(execFile)('npm', ['run', 'compile'], { cwd: ROOT });
  // tsc leaves its build info alone when no output changed (a source touched, not edited).
  const now = new Date();
  await utimes(BUILD_INFO, now, now);
}
