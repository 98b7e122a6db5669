import { type Cache, CacheConfigError } from '@cache/core';
import { type BackendOptions, type OptionsFromUrl, queryOptions } from '@cache/core/backend';
import { RedisCache } from './redis-cache.js';
import type { RedisCacheOptions } from './redis-cache-options.js';

/**
 * The factory that `createCache` calls for the `redis` backend, e.g.
 * `createCache('redis://127.0.0.1:6379?prefix=app:')`, `createCache('rediss://...')` or
 * `createCache({ backend: 'redis', cluster: { nodes } })`.
 * @throws CacheConfigError for bad options.
 */
export function createBackend(options: BackendOptions): Cache {
  if (options === null || typeof options !== 'object')
    throw new CacheConfigError('redis backend options must be an object');
  return new RedisCache(options as RedisCacheOptions);
}

/**
 * Reads a `redis://` or `rediss://` URL for `createCache`: what precedes the query is the
 * connection URL (the `url` option, given to ioredis as written:
 * `redis://[user:password@]host[:port][/db]`), and the query the cache's options.
 */
export const optionsFromUrl: OptionsFromUrl = (_url, { scheme, rest, query }) => ({
  ...queryOptions(query),
  url: `${scheme}://${rest}`,
});
