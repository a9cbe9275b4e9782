import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAudio } from '../../src/audio/load.ts';

/** What every test/bench/*.bench.ts returns from its default `run()`; test/bench/run.ts prints and saves them. */
export interface BenchRow {
  /** What was measured, e.g. "earshot convolve, 2-ch 2 s IR". */
  metric: string;
  value: number;
  /** Unit of `value` (and `baseline`), e.g. "x real time", "ms". */
  unit: string;
  /** The peer's figure in the same unit, measured in the same run. */
  baseline?: number;
  /** value / baseline (> 1: we are ahead when higher is better). */
  ratio?: number;
  /** The goal, in words, e.g. ">= 0.5x afir". */
  target?: string;
}

export interface BenchReport {
  name: string;
  rows: BenchRow[];
}

/** Wall time of the fastest of `runs` calls, in ms (the least disturbed by the rest of the machine). */
export function bestOfMs(runs: number, fn: () => void): number {
  let ms = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
}

/** `seconds` of the shipped English digits end to end, mono at `sampleRateHz`: the benches' speech. */
export async function shippedSpeech(seconds: number, sampleRateHz: number): Promise<Float32Array> {
  const dir = join(import.meta.dirname, '..', '..', 'speech', 'digits', 'en');
  const clips = await Promise.all((await readdir(dir)).sort().map((f) => loadAudio(join(dir, f), { sampleRateHz, mono: true })));
  const out = new Float32Array(Math.round(seconds * sampleRateHz));
  for (let i = 0, k = 0; i < out.length; k++) {
    const c = clips[k % clips.length].channels[0].subarray(0, out.length - i);
    out.set(c, i);
    i += c.length;
  }
  return out;
}
