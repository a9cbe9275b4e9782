import type { LRUCache } from 'lru-cache';

/**
 * The cached load of `key`, or a new one started with `load()` and cached:
 * concurrent callers of one key share one load, and a load that fails is
 * dropped (when it is still the one cached) so that the next call tries again.
 * The cache's own policy (`max`, `maxSize`) evicts the least recently used.
 * With `sizeOf` (a cache with `maxSize`), a load counts 1 while it runs and
 * its value's size once it is done.
 *
 * @example
 * const scenes = new LRUCache<string, Promise<PreparedScene>>({ max: 4 });
 * const scene = await cachedLoad(scenes, key, () => prepareScene(condition, banks, rateHz));
 */
export function cachedLoad<K extends NonNullable<unknown>, V>(cache: LRUCache<K, Promise<V>>, key: K, load: () => Promise<V>, sizeOf?: (value: V) => number): Promise<V> {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const loading = load();
  cache.set(key, loading, sizeOf ? { size: 1 } : {});
  loading.then(
    (value) => {
      if (!sizeOf || cache.peek(key) !== loading) return;
      // Set again under its real size (set() keeps the size of a value it already holds).
      cache.delete(key);
      cache.set(key, loading, { size: Math.max(1, sizeOf(value)) });
    },
    () => cache.peek(key) === loading && cache.delete(key),
  );
  return loading;
}
