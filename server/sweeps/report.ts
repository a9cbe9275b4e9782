import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { renderReport } from '../../src/sweep/report.ts';
import type { SweepResults, SweepSpec } from '../../src/sweep/types.ts';
import { writeAtomically } from '../../src/writeAtomically.ts';

const PUBLIC_REPORT = 'serve-report.html';

/**
 * Write the report the API serves, beside the engine's report.html: the same
 * page rendered with every folder in the spec replaced by what the client
 * knows it as (the data set's name, probe ids), since the engine's own page
 * names server paths.
 */
export async function writePublicReport(dir: string, results: SweepResults): Promise<void> {
  const html = await renderReport({ ...results, spec: withoutPaths(results.spec) });
  await writeAtomically(join(dir, PUBLIC_REPORT), html);
}

/** The served report; null when the sweep left none. */
export async function readPublicReport(dir: string): Promise<string | null> {
  return readFile(join(dir, PUBLIC_REPORT), 'utf8').catch(() => null);
}

function withoutPaths(spec: SweepSpec): SweepSpec {
  const probes = Object.fromEntries(Object.entries(spec.probes).map(([model, path]) => [model, basename(path, '.json')]));
  return { ...spec, data: basename(spec.data), probes, modelsDir: undefined, rirDirs: [], rirFiles: [], noiseDirs: [] };
}
