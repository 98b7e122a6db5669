import type { Cache } from '@cache/core';
import { NamespacedCache, type NamespacedOptions } from './namespaced-cache.js';

/**
 * A `Cache` whose keys live under `namespace` in `cache`: `namespaced(cache, 'users')` stores
 * `42` as `users:42`. Its `clear()` removes only its own keys, its tags and stats are its own,
 * and `close()` leaves the inner cache open unless `closeInner` is set. Namespaces nest.
 *
 * @throws CacheConfigError for an empty namespace, a bad separator or unknown options;
 *   CacheKeyError (`CACHE_KEY_INVALID`) for a namespace or separator with a lone surrogate.
 */
export function namespaced<V>(
  cache: Cache<V>,
  namespace: string,
  options: NamespacedOptions = {},
): NamespacedCache<V> {
  return new NamespacedCache(cache, namespace, options);
}
