import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadAudio } from '../../src/audio/load.ts';
import { PACKAGE_ROOT } from '../../src/paths.ts';

/** Root of the repository (the CLI runs from here), from the sources or compiled into dist/. */
export const REPO_ROOT = PACKAGE_ROOT;

/** The shipped spoken digits (speech/digits/<lang>/<n>.wav, 16 kHz mono). */
export function speechPath(digit = 7, lang = 'en'): string {
  return join(REPO_ROOT, 'speech', 'digits', lang, `${digit}.wav`);
}

/** A shipped digit as one mono channel at `sampleRateHz`, loaded the way `earshot render` loads it. */
export async function loadSpeech(digit = 7, sampleRateHz = 16000, lang = 'en'): Promise<Float32Array> {
  const audio = await loadAudio(speechPath(digit, lang), { sampleRateHz, mono: true, quality: 'best' });
  return audio.channels[0];
}

/** Sum of squares over every sample of every channel, in float64 (the recipe's pooled energy). */
export function energyOf(channels: readonly ArrayLike<number>[]): number {
  let e = 0;
  for (const ch of channels) for (let i = 0; i < ch.length; i++) e += ch[i] * ch[i];
  return e;
}

/** RMS level over all channels in dBFS (-Infinity for silence). */
export function dbfsOf(channels: readonly Float32Array[]): number {
  const count = channels.reduce((n, ch) => n + ch.length, 0);
  return 10 * Math.log10(energyOf(channels) / count);
}

/** a - b per channel, in float64 (so the difference of two float32 renders is exact). */
export function difference(a: readonly Float32Array[], b: readonly Float32Array[]): Float64Array[] {
  expect(a.length).toBe(b.length);
  return a.map((ch, c) => {
    expect(ch.length).toBe(b[c].length);
    return Float64Array.from(ch, (v, i) => v - b[c][i]);
  });
}

/** Largest |a - b| over all channels, relative to the largest |a|. */
export function maxRelativeError(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  let err = 0;
  let peak = 0;
  a.forEach((ch, c) => {
    for (let i = 0; i < ch.length; i++) {
      err = Math.max(err, Math.abs(ch[i] - b[c][i]));
      peak = Math.max(peak, Math.abs(ch[i]));
    }
  });
  return peak === 0 ? err : err / peak;
}

/** True when every channel holds the same float32 bit patterns. */
export function bitIdentical(a: readonly Float32Array[], b: readonly Float32Array[]): boolean {
  return a.length === b.length && a.every((ch, c) => Buffer.from(ch.buffer, ch.byteOffset, ch.byteLength).equals(Buffer.from(b[c].buffer, b[c].byteOffset, b[c].byteLength)));
}

/** A fresh folder under the OS temp dir and its cleanup. */
export async function tempDir(prefix = 'earshot-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The error a promise rejects with (with its EARSHOT_* code); fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  return p.then(
    () => { throw new Error('expected a rejection, got a result'); },
    (e: unknown) => e as Error & { code?: string },
  );
}

/** Make DIR/<name> with files: path -> speech digit to copy, or text to write; a path ending in "/" is an empty folder. */
export async function makeLayout(dir: string, name: string, files: Record<string, number | string>): Promise<string> {
  const root = join(dir, name);
  await mkdir(root, { recursive: true });
  for (const [path, what] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    if (typeof what === 'number') await copyFile(speechPath(what), join(root, path));
    else if (path.endsWith('/')) await mkdir(join(root, path), { recursive: true });
    else await writeFile(join(root, path), what);
  }
  return root;
}

/** Lag (samples, parabolic peak of the cross-correlation) by which b trails a: positive when b comes later. */
export function lagOf(a: ArrayLike<number>, b: ArrayLike<number>, maxLag = 40): number {
  const xc = (k: number) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) if (i + k >= 0 && i + k < b.length) s += a[i] * b[i + k];
    return s;
  };
  let best = -maxLag;
  for (let k = -maxLag; k <= maxLag; k++) if (xc(k) > xc(best)) best = k;
  const [l, m, r] = [xc(best - 1), xc(best), xc(best + 1)];
  return best + (0.5 * (l - r)) / (l - 2 * m + r);
}
