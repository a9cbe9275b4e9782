import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the committed audio fixtures (made by test/fixtures/audio/make_fixtures.sh). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/audio/', import.meta.url));

/** A fresh temp folder and its cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'earshot-audio-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `amplitude * sin(2π f t + phase)` sampled at `sampleRateHz`, as float32. */
export function sine(frames: number, sampleRateHz: number, freqHz: number, amplitude: number, phase = 0): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRateHz + phase));
}

/**
 * Frequency (from upward zero crossings, interpolated) and amplitude (RMS × √2) of a tone,
 * measured on the middle part of `x` so codec start-up and fade edges do not count.
 */
export function toneStats(x: Float32Array, sampleRateHz: number, edge = 0.15): { freqHz: number; amplitude: number } {
  const mid = x.subarray(Math.floor(x.length * edge), Math.ceil(x.length * (1 - edge)));
  const crossings: number[] = [];
  for (let i = 1; i < mid.length; i++) {
    if (mid[i - 1] < 0 && mid[i] >= 0) crossings.push(i - 1 + mid[i - 1] / (mid[i - 1] - mid[i]));
  }
  const freqHz = ((crossings.length - 1) * sampleRateHz) / (crossings[crossings.length - 1] - crossings[0]);
  const span = mid.subarray(Math.floor(crossings[0]), Math.floor(crossings[crossings.length - 1]));
  const rms = Math.sqrt(span.reduce((s, v) => s + v * v, 0) / span.length);
  return { freqHz, amplitude: rms * Math.SQRT2 };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error & { code: string }> {
  return p.then(
    () => { throw new Error('expected a rejection, got a result'); },
    (e: unknown) => e as Error & { code: string },
  );
}
