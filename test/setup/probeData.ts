import type { TestProject } from 'vitest/node';
import { ensureProbeData } from '../helpers/probeData.ts';

/** The probe data sets' sizes (clips a class) the tests use: see test/helpers/probeData.ts. */
export const PROBE_DATA_SIZES = [4, 6] as const;
export type ProbeDataSize = (typeof PROBE_DATA_SIZES)[number];

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folders of the synthesized probe data sets, by clips a class. */
    probeData: Record<ProbeDataSize, string>;
  }
}

/**
 * Global setup: the keyword data sets that several test files read, built once before any of
 * them starts (and kept in test/output between runs) instead of by whichever file comes first.
 */
export default async function setup(project: TestProject): Promise<void> {
  const dirs = {} as Record<ProbeDataSize, string>;
  // The largest first: the other is copied from it.
  for (const n of [...PROBE_DATA_SIZES].reverse()) dirs[n] = await ensureProbeData(n);
  project.provide('probeData', dirs);
}
