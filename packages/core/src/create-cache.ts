import { loadBackend } from './backends.js';
import { configFromUrl } from './cache-url.js';
import { CacheConfigError } from './errors.js';
import type { Serializer } from './serializer.js';
import { type BuiltInSerializerName, type CompressionName, resolveSerializer } from './serializer-loader.js';
import type { Cache } from './types.js';

/**
 * The options of each backend by name, for the types of {@link createCache} and `CacheManager`.
 * Each backend package adds its entry by module augmentation, so a configuration autocompletes
 * and a misspelt option is a compile error once the package is imported anywhere in the program:
 *
 * ```ts
 * declare module '@cache/core' {
 *   interface CacheBackends { mongo: MongoCacheOptions }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation.
export interface CacheBackends {}

/** Options that every configuration may hold, whatever the backend. */
export interface CommonCacheConfig {
  /** The cache's name (in events, stats and metrics). `CacheManager` sets it to the entry's name. */
  name?: string | undefined;
  /**
   * The serializer, by name (`json`, `msgpack`, `v8`, or one given to `registerSerializer`) or
   * itself. @default the backend's own default (typed JSON for backends that store bytes)
   */
  serializer?: BuiltInSerializerName | (string & {}) | Serializer | undefined;
  /** Compress stored values with this algorithm (`@cache/serializers`' `compressed()`). */
  compress?: CompressionName | undefined;
}

/**
 * The configuration of a backend named `B`: its options as its package declares them in
 * {@link CacheBackends}, or any options for a backend whose package is not in the program.
 */
export type CacheConfigFor<B extends string> = B extends keyof CacheBackends
  ? { backend: B } & Omit<CacheBackends[B], keyof CommonCacheConfig | 'backend'> & CommonCacheConfig
  : { backend: B; [option: string]: unknown };

/** A configuration for {@link createCache}: a backend name and that backend's options. */
export type CacheConfig =
  | { [B in keyof CacheBackends & string]: CacheConfigFor<B> }[keyof CacheBackends & string]
  | {
      backend: string;
      [option: string]: unknown;
    };

/**
 * Creates a cache from a configuration or a URL. A built-in backend's package is loaded on
 * demand (`@cache/backend-<name>`); one that is not installed is a `CacheConfigError` that names
 * it, and an unknown name one that lists the known backends. `serializer` and `compress` (in the
 * configuration or the URL's query) choose the serializer by name.
 *
 * @example
 * const cache = await createCache(process.env.CACHE_URL ?? 'memory://?maxEntries=10000');
 * const pages = await createCache({ backend: 'redis', url: process.env.REDIS_URL, prefix: 'pages:' });
 * const blobs = await createCache('redis://127.0.0.1:6379?serializer=msgpack&compress=gzip');
 * @throws CacheConfigError for a malformed URL, an unknown backend or serializer, a package that
 *   is not installed, or options the backend refuses.
 */
export async function createCache<V = unknown, const B extends string = string>(
  config: CacheConfigFor<B> | string,
): Promise<Cache<V>> {
  const resolved = typeof config === 'string' ? await configFromUrl(config) : config;
  if (resolved === null || typeof resolved !== 'object' || typeof resolved.backend !== 'string') {
    throw new CacheConfigError('createCache takes a URL or a configuration with a backend name');
  }
  const { backend: name, serializer, compress, ...options } = resolved as Record<string, unknown>;
  const backend = await loadBackend(name as string);
  const chosen = await resolveSerializer(serializer, compress);
  if (chosen !== undefined) options.serializer = chosen;
  return (await backend.create(options)) as Cache<V>;
}
