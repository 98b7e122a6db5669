/**
 * Checks of the options objects that the methods of a cache take (`set`, `add`, `setMany`,
 * `getOrSet`, `keys`, `clear`). Every backend and wrapper refuses the same things with the same
 * error: a `CacheConfigError` before anything is read or written, so a bad call has no effect.
 */
import { parseTtl } from './duration.js';
import { CacheConfigError } from './errors.js';
import { validatePrefix, validateTags } from './keys.js';
import type { PrefixOptions, SetOptions } from './types.js';

/**
 * Checks that method options, when given, are an object: `null`, numbers, strings, booleans,
 * functions and arrays are refused.
 * @throws CacheConfigError naming `what` (the method).
 */
export function validateOptions(options: unknown, what: string): asserts options is object | undefined {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options)))
    throw new CacheConfigError(`${what} options must be an object`);
}

/**
 * Checks the options of a write (`set`, `add`, `setMany`, and the write of `getOrSet`) without
 * building anything: for a call that must refuse bad options even when it writes nothing.
 * @throws CacheConfigError for options that are not an object, a bad `ttl` or bad tags;
 *   CacheKeyError for a tag that is not well-formed UTF-16.
 */
export function validateSetOptions(options: SetOptions | undefined, what: string): void {
  validateOptions(options, what);
  if (options?.ttl !== undefined) parseTtl(options.ttl);
  if (options?.tags !== undefined) validateTags(options.tags);
}

/**
 * Checks the options of `keys()` and `clear()` and returns the prefix (`undefined` = none).
 * @throws CacheConfigError for options that are not an object or a prefix that is not a string;
 *   CacheKeyError for a prefix that is not well-formed UTF-16.
 */
export function validatePrefixOptions(options: PrefixOptions | undefined, what: string): string | undefined {
  validateOptions(options, what);
  return validatePrefix(options?.prefix);
}
