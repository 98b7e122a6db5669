import { type Cache, type CacheBus, type CacheConfig, CacheConfigError, createCache } from '@cache/core';
import { type BackendOptions, importPackage } from '@cache/core/backend';
import type { TieredOptions } from './options.js';
import { TieredCache } from './tiered-cache.js';

/** A tier given to `createCache`: a URL, a configuration, or a cache. */
export type TierSource = string | CacheConfig | Cache;

/** A bus given to `createCache`: a Redis URL (`redis://host:6379?channel=app`) or a bus. */
export type BusSource = string | CacheBus;

/** The options of `createCache({ backend: 'tiered', ... })`. */
export interface TieredConfig extends Omit<TieredOptions, 'l1' | 'l2' | 'bus'> {
  /** The L1: a URL (`memory://?maxEntries=10000`), a configuration or a cache. */
  l1: TierSource;
  /** The L2: a URL (`redis://host/0?prefix=app:`), a configuration or a cache. */
  l2: TierSource;
  /** The bus: a Redis URL (its `channel` query parameter names the channel) or a `CacheBus`. */
  bus?: BusSource | undefined;
}

function tier(source: unknown, which: string): Promise<Cache> {
  if (typeof source === 'string') return createCache(source);
  if (source !== null && typeof source === 'object') {
    if (typeof (source as Cache).get === 'function') return Promise.resolve(source as Cache);
    if (typeof (source as CacheConfig).backend === 'string')
      return createCache(source as { backend: string });
  }
  return Promise.reject(new CacheConfigError(`${which} must be a cache URL, a configuration or a cache`));
}

async function bus(source: unknown): Promise<CacheBus | undefined> {
  if (source === undefined || (source !== null && typeof source === 'object'))
    return source as CacheBus | undefined;
  if (typeof source !== 'string' || !/^rediss?:\/\//i.test(source))
    throw new CacheConfigError('bus must be a redis:// URL or a CacheBus');
  const url = new URL(source);
  const channel = url.searchParams.get('channel') ?? undefined;
  url.searchParams.delete('channel');
  const { RedisBus } = (await importPackage('@cache/backend-redis', 'a redis:// bus')) as {
    RedisBus: new (options: { url: string; channel?: string | undefined }) => CacheBus;
  };
  return new RedisBus({ url: url.href, channel });
}

/**
 * The factory `createCache` calls for `{ backend: 'tiered', l1, l2, bus }`: the tiers and the
 * bus may be URLs or configurations, created here (and closed with the tiered cache).
 *
 * @example
 * const cache = await createCache({
 *   backend: 'tiered',
 *   l1: 'memory://?maxEntries=10000',
 *   l2: 'redis://127.0.0.1:6379/0?prefix=app:',
 *   bus: 'redis://127.0.0.1:6379/0?channel=app',
 *   l1MaxTtl: '1m',
 * });
 * @throws CacheConfigError for a missing or bad tier, bus or option.
 */
export async function createBackend(options: BackendOptions): Promise<TieredCache> {
  const { l1, l2, bus: busSource, ...rest } = options as Record<string, unknown>;
  if (l1 === undefined || l2 === undefined) throw new CacheConfigError('tiered needs l1 and l2');
  const created: { close(): Promise<void> }[] = [];
  try {
    const first = await tier(l1, 'l1');
    created.push(first);
    const second = await tier(l2, 'l2');
    created.push(second);
    const theBus = await bus(busSource);
    if (theBus) created.push(theBus);
    return new TieredCache({ ...(rest as Partial<TieredOptions>), l1: first, l2: second, bus: theBus });
  } catch (error) {
    await Promise.allSettled(created.map((c) => c.close()));
    throw error;
  }
}
