import type { Duration } from './duration.js';
import { CacheConfigError } from './errors.js';
import type { Cache } from './types.js';

/** Options of {@link memoize}. */
export interface MemoizeOptions<A extends unknown[], R> {
  /** Where results are kept. */
  cache: Cache<R>;
  /** The cache key of a call. @default `${fn.name}:${JSON.stringify(args)}` */
  key?: (...args: A) => string;
  /** Time to live of each result. @default the cache's `defaultTtl` */
  ttl?: Duration;
  /** Tags of each result, fixed or computed from the arguments. */
  tags?: readonly string[] | ((...args: A) => readonly string[]);
}

/**
 * Wraps a function (sync or async) so that its results are cached by arguments. Built on
 * `getOrSet`: concurrent calls with the same arguments run the function once, and a thrown
 * error is passed through and not cached.
 */
export function memoize<A extends unknown[], R>(
  fn: (...args: A) => R | Promise<R>,
  options: MemoizeOptions<A, Awaited<R>>,
): (...args: A) => Promise<Awaited<R>> {
  if (typeof fn !== 'function') throw new CacheConfigError('memoize takes a function');
  const { cache, ttl, tags } = options;
  if (!cache || typeof cache.getOrSet !== 'function') throw new CacheConfigError('memoize needs a cache');
  const name = fn.name || 'anonymous';
  const keyOf = options.key ?? ((...args: A) => `${name}:${JSON.stringify(args)}`);
  return (...args: A) => {
    const setOptions: { ttl?: Duration; tags?: readonly string[] } = {};
    if (ttl !== undefined) setOptions.ttl = ttl;
    if (tags !== undefined) setOptions.tags = typeof tags === 'function' ? tags(...args) : tags;
    return cache.getOrSet(keyOf(...args), async (): Promise<Awaited<R>> => await fn(...args), setOptions);
  };
}
