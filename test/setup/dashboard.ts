import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The dashboard built from client/ for this run (what `npm run build` makes), outside client/dist. */
    dashboardDist: string;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Global setup of the browser tests: build the dashboard once for all of them; removed after the run. */
export default async function setup(project: TestProject): Promise<() => void> {
  const out = mkdtempSync(join(tmpdir(), 'earshot-e2e-dist-'));
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'client', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], { cwd: ROOT });
  if (!existsSync(join(out, 'index.html'))) throw new Error(`vite build wrote no index.html into ${out}`);
  project.provide('dashboardDist', out);
  return () => rmSync(out, { recursive: true, force: true });
}
