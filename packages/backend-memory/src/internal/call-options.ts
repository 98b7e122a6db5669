/**
 * The shape check of the options argument of `MemoryCache`'s methods (`set`, `add`, `setMany`,
 * `getOrSet`, `keys`, `clear` and their synchronous twins). The fields are checked where they
 * are read (core's `parseTtl`, `validateTags`, `validatePrefix`); this only refuses what is not
 * an options object at all (`null`, numbers, strings, arrays, functions), which would otherwise
 * be read as "no options" or fail with a plain `TypeError`.
 */
import { CacheConfigError } from '@cache/core';

/**
 * Throws unless `options` is `undefined` or a plain object (not an array).
 * @throws CacheConfigError (`CACHE_CONFIG`)
 */
export function checkCallOptions(options: unknown, method: string): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options)))
    throw badOptions(options, method);
}

/** The error for an options argument that is not an object. */
export function badOptions(options: unknown, method: string): CacheConfigError {
  const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options;
  return new CacheConfigError(`the options of ${method} must be an object or undefined, got ${got}`);
}
