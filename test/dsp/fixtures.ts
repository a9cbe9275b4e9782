// Loads the python-made reference fixtures in test/fixtures/dsp (see make_fixtures.py).
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/dsp/', import.meta.url);

interface Entry { file: string; channels: number; length: number }
interface Meta {
  sampleRateHz: number;
  speech: Entry;
  ir4: Entry;
  full4: Entry;
  noise: Entry;
  mix: { noiseOffsetPerChannel: number; irChannels: number; noiseGain: Record<string, number> };
}

export const meta: Meta = JSON.parse(readFileSync(new URL('meta.json', dir), 'utf8'));

/** Planar little-endian float32 channels. */
export function loadF32(entry: Entry): Float32Array[] {
  const buf = readFileSync(new URL(entry.file, dir));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return Array.from({ length: entry.channels }, (_, c) =>
    Float32Array.from({ length: entry.length }, (_, i) => view.getFloat32(4 * (c * entry.length + i), true)));
}

export const speech = (): Float32Array => loadF32(meta.speech)[0];
export const ir4 = (): Float32Array[] => loadF32(meta.ir4);
export const full4 = (): Float32Array[] => loadF32(meta.full4);
export const noise = (): Float32Array => loadF32(meta.noise)[0];

/** Largest |a[i] - b[i]| over the first `n` samples (default: all of a). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
