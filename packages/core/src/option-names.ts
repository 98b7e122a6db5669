import { CacheConfigError } from './errors.js';

/**
 * The options of `BaseCacheOptions` that every backend takes. `clock` is not one: only backends
 * whose time is their own (memory, file) take it.
 */
export const BASE_CACHE_OPTIONS: readonly string[] = ['name', 'defaultTtl', 'maxKeyBytes', 'onBackendError'];

/**
 * Refuses an option that `what` does not take: one that is neither in `known` nor (unless
 * `base` is false) one of {@link BASE_CACHE_OPTIONS}. An option given as `undefined` counts as
 * absent, so `{ url: process.env.REDIS_URL }` is fine whatever the environment holds.
 * @throws CacheConfigError naming the option and `what` (`FileCache has no option "dirr"`).
 */
export function checkOptionNames(
  options: object,
  known: ReadonlySet<string>,
  what: string,
  base = true,
): void {
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && !known.has(name) && !(base && BASE_CACHE_OPTIONS.includes(name)))
      throw new CacheConfigError(`${what} has no option ${JSON.stringify(name)}`);
  }
}
