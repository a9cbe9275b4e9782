import type { LRUCache } from 'lru-cache';

/** A cache of loads: a Map (kept for the process's life) or an LRUCache (bounded, least recently used evicted). */
export type LoadCache<K, V> = Pick<Map<K, Promise<V>>, 'get' | 'delete'> & { set(key: K, value: Promise<V>, opts?: LRUCache.SetOptions<NonNullable<K>, Promise<V>, unknown>): unknown };

/**
 * The cached load of `key`, or a new one started with `load()` and cached:
 * concurrent callers of one key share one load, and a load that fails is
 * dropped (when it is still the one cached) so that the next call tries again.
 * An LRUCache's own policy (`max`, `maxSize`) evicts the least recently used;
 * with `sizeOf` (an LRUCache with `maxSize`), a load counts 1 while it runs and
 * its value's size once it is done.
 *
 * @example
 * const scenes = new LRUCache<string, Promise<PreparedScene>>({ max: 4 });
 * const scene = await cachedLoad(scenes, key, () => prepareScene(condition, banks, rateHz));
 */
export function cachedLoad<K, V>(cache: LoadCache<K, V>, key: K, load: () => Promise<V>, sizeOf?: (value: V) => number): Promise<V> {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const loading = load();
  cache.set(key, loading, sizeOf ? { size: 1 } : undefined);
  loading.then(
    (value) => {
      if (!sizeOf || cache.get(key) !== loading) return;
      // Set again under its real size (set() keeps the size of a value it already holds).
      cache.delete(key);
      cache.set(key, loading, { size: Math.max(1, sizeOf(value)) });
    },
    () => cache.get(key) === loading && cache.delete(key),
  );
  return loading;
}
