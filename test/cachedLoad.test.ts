import { LRUCache } from 'lru-cache';
import { describe, expect, it } from 'vitest';
import { cachedLoad } from '../src/cachedLoad.ts';

describe('cachedLoad', () => {
  it('shares one load between concurrent callers of a key', async () => {
    const cache = new LRUCache<string, Promise<number>>({ max: 4 });
    let loads = 0;
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cachedLoad(cache, 'k', load), cachedLoad(cache, 'k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
  });

  it('drops a failed load, so the next call tries again', async () => {
    const cache = new LRUCache<string, Promise<string>>({ max: 4 });
    await expect(cachedLoad(cache, 'k', () => Promise.reject(new Error('disk gone')))).rejects.toThrow('disk gone');
    expect(cache.has('k')).toBe(false);
    expect(await cachedLoad(cache, 'k', async () => 'ok')).toBe('ok');
  });

  it('works over a plain Map too (kept for good)', async () => {
    const cache = new Map<string, Promise<string>>();
    await expect(cachedLoad(cache, 'k', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await cachedLoad(cache, 'k', async () => 'v')).toBe('v');
    expect(await cachedLoad(cache, 'k', async () => 'not loaded again')).toBe('v');
  });

  it('evicts the least recently used beyond max', async () => {
    const cache = new LRUCache<string, Promise<string>>({ max: 2 });
    await cachedLoad(cache, 'a', async () => 'a');
    await cachedLoad(cache, 'b', async () => 'b');
    await cachedLoad(cache, 'a', async () => 'reloaded'); // a is used again: b is now the oldest
    await cachedLoad(cache, 'c', async () => 'c');
    expect([...cache.keys()].sort()).toEqual(['a', 'c']);
  });

  it('counts a value by sizeOf once loaded, evicting the oldest beyond maxSize', async () => {
    const cache = new LRUCache<string, Promise<Float32Array>>({ maxSize: 10 });
    await cachedLoad(cache, 'a', async () => new Float32Array(6), (x) => x.length);
    expect(cache.calculatedSize).toBe(6);
    await cachedLoad(cache, 'b', async () => new Float32Array(6), (x) => x.length);
    expect([...cache.keys()]).toEqual(['b']);
  });
});
