import { basename } from 'node:path';
import { map, type OperatorFunction } from '../rxjs.ts';
import { predictProbe } from '../probes/linearProbe.ts';
import { fromProbeFile, type ProbeFile } from '../probes/probeFile.ts';
import type { EncodedWindow, ProbedWindow } from './types.ts';

/** A probe file ready to predict with. */
export interface LoadedProbe {
  /** The probe file's name without `.json` (what results call it). */
  id: string;
  modelId: string;
  classes: string[];
  weights: ReturnType<typeof fromProbeFile>;
}

/** Unpack a probe file (`earshot probe train`) for {@link probeWindows}. */
export function loadedProbe(path: string, file: ProbeFile): LoadedProbe {
  return { id: basename(path).replace(/\.json$/i, ''), modelId: file.modelId, classes: file.classes, weights: fromProbeFile(file) };
}

/**
 * Run a linear probe (src/probes/linearProbe.ts `predictProbe`) on both
 * embeddings of each window: class probabilities clean and degraded. With no
 * probe, `probe` is null. `wakeword` starts null (see wakeWordWindows).
 *
 * ```
 * source:  -a--b--|
 * result:  -A--B--|   (A = a + { probe: { id, classes, clean, degraded, smooth: 1 } })
 * ```
 */
export function probeWindows(probe: LoadedProbe | null): OperatorFunction<EncodedWindow, ProbedWindow> {
  return map((w) => ({
    ...w,
    wakeword: null,
    probe: probe && {
      id: probe.id,
      classes: probe.classes,
      clean: Array.from(predictProbe(probe.weights, w.cleanEmbedding)),
      degraded: Array.from(predictProbe(probe.weights, w.degradedEmbedding)),
      smooth: 1,
    },
  }));
}
