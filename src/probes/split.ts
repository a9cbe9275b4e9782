import type { Rng } from '../random.ts';

/**
 * A seeded stratified split: from each class, round(fraction · count) items
 * (at least one when the class has two or more and the fraction is above 0, none when it has one) go to the held-out side.
 * Returns the indices of each side in ascending order.
 */
export function stratifiedSplit(labels: ArrayLike<number>, fraction: number, rng: Rng): { kept: number[]; heldOut: number[] } {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const heldOut: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const items = byClass.get(cls)!;
    shuffle(items, rng);
    const count = fraction <= 0 || items.length < 2 ? 0 : Math.min(items.length - 1, Math.max(1, Math.round(fraction * items.length)));
    heldOut.push(...items.slice(0, count));
  }
  const out = new Set(heldOut);
  return {
    kept: Array.from({ length: labels.length }, (_, i) => i).filter((i) => !out.has(i)),
    heldOut: [...heldOut].sort((a, b) => a - b),
  };
}

/** Fisher-Yates, in place. */
export function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
