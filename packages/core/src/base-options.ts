/**
 * The options every backend accepts (`BaseCacheOptions`), checked and resolved once, in
 * `BaseCache`'s constructor: a bad one throws `CacheConfigError` before the backend is built.
 * Kept apart from base-cache.ts so that what a backend may be given, and how each option is
 * checked, reads in one place.
 */
import { type Clock, systemClock } from './clock.js';
import { type Duration, parseTtl } from './duration.js';
import { CacheConfigError } from './errors.js';
import { backendErrorPolicy } from './get-or-set.js';
import { DEFAULT_MAX_KEY_BYTES } from './keys.js';
import type { BackendErrorPolicy } from './types.js';

/** Options every backend accepts. */
export interface BaseCacheOptions {
  /** A name for logs and `CacheManager`. @default the backend's name */
  name?: string | undefined;
  /** TTL of writes that give none. @default never */
  defaultTtl?: Duration | undefined;
  /** Longest key in UTF-8 bytes. @default 1024 */
  maxKeyBytes?: number | undefined;
  /** Source of time, for tests and simulations. @default the system clock */
  clock?: Clock | undefined;
  /** The default of `getOrSet`'s {@link GetOrSetOptions.onBackendError}. @default 'throw' */
  onBackendError?: BackendErrorPolicy | undefined;
}

/** {@link BaseCacheOptions} checked, with their defaults applied. */
export interface ResolvedBaseOptions {
  name: string;
  clock: Clock;
  /** `undefined` = never. */
  defaultTtlMs: number | undefined;
  maxKeyBytes: number;
  onBackendError: BackendErrorPolicy;
}

/**
 * Checks the options of a cache, in the order of their fields, and applies the defaults.
 * @throws CacheConfigError for options that are not an object or for a bad option.
 */
export function resolveBaseOptions(options: BaseCacheOptions, defaultName: string): ResolvedBaseOptions {
  if (options === null || typeof options !== 'object')
    throw new CacheConfigError('options must be an object');
  const name = options.name ?? defaultName;
  const clock = options.clock ?? systemClock;
  if (typeof clock.now !== 'function') throw new CacheConfigError('clock must have a now() method');
  const defaultTtlMs = parseTtl(options.defaultTtl, 'defaultTtl');
  const maxKeyBytes = options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES;
  if (!Number.isSafeInteger(maxKeyBytes) || maxKeyBytes <= 0) {
    throw new CacheConfigError(`maxKeyBytes must be a positive integer, got ${String(maxKeyBytes)}`);
  }
  const onBackendError = backendErrorPolicy(options.onBackendError, 'throw');
  return { name, clock, defaultTtlMs, maxKeyBytes, onBackendError };
}
