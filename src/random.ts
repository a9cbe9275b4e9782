import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/**
 * Seeded random numbers for everything in earshot that draws at random.
 * `Math.random` is banned in src/: the same seed must give the same bytes.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** An independent generator derived from this one and a label, so adding draws in one place does not shift another. */
  fork(label: string): Rng;
}

/** A seeded generator (xoroshiro128+ from pure-rand). */
export function createRng(seed: number): Rng {
  const gen = xoroshiro128plus(seed | 0);
  const rng: Rng = {
    float: () => uniformFloat64(gen),
    int: (min, max) => uniformInt(gen, min, max),
    normal: () => {
      const u = 1 - uniformFloat64(gen);
      const v = uniformFloat64(gen);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    fork: (label) => createRng(hashSeed(seed, label)),
  };
  return rng;
}

/** FNV-1a over the seed and a label: a stable 32-bit seed for a named sub-stream. */
export function hashSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
