import type { Duration } from './duration.js';
import { CacheConfigError } from './errors.js';
import { checkWellFormed } from './keys.js';
import { encodeArguments } from './memoize-key.js';
import type { Cache } from './types.js';

/**
 * Options of {@link memoize}: `A` is the function's parameter list, `V` the value type of the
 * cache (the function's results must fit it).
 */
export interface MemoizeOptions<A extends unknown[], V = unknown> {
  /** Where results are kept: any cache whose values the results fit (a `Cache` of `unknown` takes all). */
  cache: Cache<V>;
  /**
   * The first part of the default key, `<name>:<arguments>`. Give a name to share results
   * between processes (or between restarts) on a shared backend, one name per function: two
   * functions memoized under one name share their results. Names may hold any character.
   * @default a random id, unique to this `memoize` call (results live in this process only)
   */
  name?: string | undefined;
  /**
   * The cache key of a call, instead of the default `<name>:<arguments>` (whose arguments are
   * encoded without ambiguity; see the README). It must give distinct keys to calls whose
   * results differ, across every function memoized into the same cache.
   */
  key?: ((...args: A) => string) | undefined;
  /** Time to live of each result. @default the cache's `defaultTtl` */
  ttl?: Duration | undefined;
  /** Tags of each result, fixed or computed from the arguments. */
  tags?: readonly string[] | ((...args: A) => readonly string[]) | undefined;
}

/**
 * Wraps a function (sync or async) so that its results are cached by arguments. Built on
 * `getOrSet`: concurrent calls with the same arguments run the function once, and a thrown
 * error is passed through and not cached.
 *
 * The result type is the function's (awaited); `cache` may be any cache whose value type the
 * results fit, a `Cache` (of `unknown`) included.
 *
 * The default key is `<name>:<arguments>`: the name is unique to this call of `memoize` unless
 * `options.name` is given, and the arguments are encoded so that distinct argument lists get
 * distinct keys (`undefined` and `null`, a `Date` and a string, a `Map` and `{}`, `-0` and `0`
 * stay apart). A call whose arguments cannot be encoded that way (functions, symbols, class
 * instances, cycles) rejects with `CacheConfigError`; pass `key` for such functions.
 * @throws CacheConfigError for a missing function or cache, or a bad `name` or `key`.
 */
export function memoize<A extends unknown[], R extends V, V = unknown>(
  fn: (...args: A) => R | Promise<R>,
  options: MemoizeOptions<A, V>,
): (...args: A) => Promise<Awaited<R>> {
  if (typeof fn !== 'function') throw new CacheConfigError('memoize takes a function');
  if (options === null || typeof options !== 'object') throw new CacheConfigError('memoize needs options');
  const { cache, ttl, tags, name } = options;
  if (!cache || typeof cache.getOrSet !== 'function') throw new CacheConfigError('memoize needs a cache');
  if (options.key !== undefined && typeof options.key !== 'function')
    throw new CacheConfigError('memoize key must be a function');
  if (name !== undefined) {
    if (typeof name !== 'string' || name.length === 0)
      throw new CacheConfigError('memoize name must be a non-empty string');
    checkWellFormed(name, 'a memoize name');
  }
  const prefix = `${name ?? `memoize:${crypto.randomUUID()}`}:`;
  const keyOf = options.key ?? ((...args: A) => prefix + encodeArguments(args));
  return (...args: A) => {
    let key: string;
    const setOptions: { ttl?: Duration; tags?: readonly string[] } = {};
    try {
      key = keyOf(...args);
      if (ttl !== undefined) setOptions.ttl = ttl;
      if (tags !== undefined) setOptions.tags = typeof tags === 'function' ? tags(...args) : tags;
    } catch (error) {
      return Promise.reject(error);
    }
    // `R extends V`; TypeScript does not carry that over to `Awaited<R>`.
    return cache.getOrSet<Awaited<R> & V>(key, async () => (await fn(...args)) as Awaited<R> & V, setOptions);
  };
}
