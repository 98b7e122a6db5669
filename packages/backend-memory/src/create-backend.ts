import type { Cache } from '@cache/core';
import type { BackendOptions } from '@cache/core/backend';
import { MemoryCache } from './memory-cache.js';
import type { MemoryCacheOptions } from './options.js';

/**
 * The factory `createCache` calls for `{ backend: 'memory' }` and `memory://` URLs. Options
 * are those of {@link MemoryCache} (URL query values arrive as booleans, decimal numbers or
 * strings, such as byte sizes, that the options parse; `persist` may be a path).
 * @throws CacheConfigError for a bad or unknown option.
 */
export function createBackend(options: BackendOptions = {}): Cache {
  return new MemoryCache(options as MemoryCacheOptions);
}
