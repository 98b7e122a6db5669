/**
 * The real driver: replays a trace through `MemoryCache` (built `dist` of
 * @cache/backend-memory) with its synchronous API: `getSync`, and `setSync` on a miss. Entries
 * have unit size (`maxEntries` bounds the cache). With `policy: 'none'` a full cache refuses new
 * keys with `CacheFullError`, which counts as a miss that stores nothing.
 */
import { MemoryCache, type PolicyName } from '@cache/backend-memory';
import { CacheFullError } from '@cache/core';

/** Hits / requests through a fresh `MemoryCache({ maxEntries: size, policy })`. */
export async function memoryHitRatio(
  keys: readonly string[],
  size: number,
  policy: PolicyName,
): Promise<number> {
  const cache = new MemoryCache<number>({ maxEntries: size, policy });
  let hits = 0;
  try {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (cache.getSync(key) !== undefined) {
        hits++;
        continue;
      }
      try {
        cache.setSync(key, 1);
      } catch (error) {
        if (!(error instanceof CacheFullError)) throw error;
      }
    }
  } finally {
    await cache.close();
  }
  return hits / keys.length;
}
