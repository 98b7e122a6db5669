// Timer limits and Redis' PX: a timer option beyond 2^31-1 ms (which Node would fire after 1 ms)
// is refused with CacheConfigError, in every place the cache hands a delay to a timer or to ioredis;
// the longest lifetimes the core allows (TTL and stale window of 1000 years each) still make a PX
// that Redis takes; a lock never has an infinite lease.
import { CacheConfigError, CacheErrorCode } from '@cache/core';
import { MAX_LIFETIME_MS, MAX_TIMER_MS } from '@cache/core/backend';
import { describe, expect, it } from 'vitest';
import { RedisCache, type RedisCacheOptions } from '../src/index.js';
import { makeCache, REDIS_URL, rawRedis } from './helpers/redis.js';

const TOO_LONG = [MAX_TIMER_MS + 1, '30d', '25d', 1e300, Number.MAX_VALUE];

function refused(options: RedisCacheOptions): void {
  let thrown: unknown;
  try {
    const connection =
      options.cluster !== undefined || options.sentinel !== undefined ? {} : { url: REDIS_URL };
    new RedisCache({ ...connection, prefix: 'never-used:', ...options });
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CacheConfigError);
  expect((thrown as CacheConfigError).code).toBe(CacheErrorCode.config);
}

describe('timer options', () => {
  it('refuses commandTimeout and connectTimeout beyond 2^31-1 ms', () => {
    for (const value of TOO_LONG) {
      refused({ commandTimeout: value });
      refused({ connectTimeout: value });
    }
  });

  it('takes 2^31-1 ms and Infinity (none) for commandTimeout and connectTimeout', async () => {
    const a = new RedisCache({
      url: REDIS_URL,
      prefix: 'limits:',
      commandTimeout: MAX_TIMER_MS,
      connectTimeout: '24d',
    });
    expect(a.commandTimeout).toBe(MAX_TIMER_MS);
    const b = new RedisCache({
      url: REDIS_URL,
      prefix: 'limits:',
      commandTimeout: Infinity,
      connectTimeout: Infinity,
    });
    expect(b.commandTimeout).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses ioredis timer options beyond 2^31-1 ms, or Infinity, wherever they are given', () => {
    for (const value of [MAX_TIMER_MS + 1, Infinity, -1, Number.NaN]) {
      refused({ redisOptions: { commandTimeout: value } });
      refused({ redisOptions: { connectTimeout: value } });
      refused({ redisOptions: { socketTimeout: value } });
      refused({
        sentinel: { sentinels: [{ port: 1 }], name: 'm', sentinelCommandTimeout: value },
      });
      refused({
        cluster: { nodes: [{ port: 1 }], options: { slotsRefreshInterval: value } },
      });
      refused({ cluster: { nodes: [{ port: 1 }], options: { retryDelayOnMoved: value } } });
      refused({
        cluster: { nodes: [{ port: 1 }], options: { redisOptions: { commandTimeout: value } } },
      });
    }
  });
});

describe('physical expiry', () => {
  it('the longest TTL and stale window make a PX that Redis takes (no server error)', async () => {
    const cache = makeCache<number>();
    const raw = rawRedis();
    await cache.set('ttl', 1, { ttl: MAX_LIFETIME_MS, tags: ['t'] });
    await cache.setMany([['many', 2]], { ttl: MAX_LIFETIME_MS });
    expect(await cache.add('add', 3, { ttl: MAX_LIFETIME_MS })).toBe(true);
    await cache.getOrSet('stale', () => 4, {
      ttl: MAX_LIFETIME_MS,
      staleWhileRevalidate: MAX_LIFETIME_MS,
      staleIfError: MAX_LIFETIME_MS,
    });
    expect(await cache.getMany(['ttl', 'many', 'add', 'stale'])).toEqual([1, 2, 3, 4]);
    for (const key of ['ttl', 'many', 'add']) {
      const pttl = await raw.pttl(`${cache.prefix}e:${key}`);
      expect(pttl).toBeGreaterThan(MAX_LIFETIME_MS - 60_000);
      expect(pttl).toBeLessThanOrEqual(MAX_LIFETIME_MS);
    }
    const stale = await raw.pttl(`${cache.prefix}e:stale`);
    expect(stale).toBeGreaterThan(2 * MAX_LIFETIME_MS - 60_000);
    expect(stale).toBeLessThanOrEqual(2 * MAX_LIFETIME_MS);
  });

  it('a TTL beyond 1000 years (1e300 included) is refused with CacheConfigError and writes nothing', async () => {
    const cache = makeCache<number>();
    for (const ttl of [MAX_LIFETIME_MS + 1, 1e300, Number.MAX_VALUE]) {
      await expect(cache.set('k', 1, { ttl })).rejects.toBeInstanceOf(CacheConfigError);
      await expect(cache.add('k', 1, { ttl })).rejects.toBeInstanceOf(CacheConfigError);
      await expect(cache.setMany([['k', 1]], { ttl })).rejects.toBeInstanceOf(CacheConfigError);
      await expect(cache.getOrSet('k', () => 1, { ttl: 1000, staleIfError: ttl })).rejects.toBeInstanceOf(
        CacheConfigError,
      );
    }
    expect(await cache.has('k')).toBe(false);
  });
});

/** Reaches the protected lock primitive, as a subclass or a future public lock API would. */
class LockProbe<V> extends RedisCache<V> {
  lock(key: string, lease: number, wait: number) {
    return this.acquireLock(key, lease, wait);
  }
}

describe('locks', () => {
  it('getOrSet refuses an infinite or too long lease, and takes nothing', async () => {
    const cache = makeCache<number>();
    const raw = rawRedis();
    for (const lease of [Infinity, 'infinity', MAX_TIMER_MS + 1, '30d']) {
      await expect(cache.getOrSet('k', () => 1, { lock: { lease } })).rejects.toBeInstanceOf(
        CacheConfigError,
      );
    }
    expect(await raw.exists(`${cache.prefix}l:k`)).toBe(0);
  });

  it('the lock primitive itself refuses an infinite lease; a finite one always has a PX', async () => {
    const cache = new LockProbe<number>({ url: REDIS_URL, prefix: makeCache().prefix });
    const raw = rawRedis();
    try {
      await expect(cache.lock('k', Infinity, 100)).rejects.toBeInstanceOf(CacheConfigError);
      await expect(cache.lock('k', MAX_TIMER_MS + 1, 100)).rejects.toBeInstanceOf(CacheConfigError);
      await expect(cache.lock('k', 1000, Infinity)).rejects.toBeInstanceOf(CacheConfigError);
      expect(await raw.exists(`${cache.prefix}l:k`)).toBe(0);
      const release = await cache.lock('k', MAX_TIMER_MS, 100);
      const pttl = await raw.pttl(`${cache.prefix}l:k`);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(MAX_TIMER_MS);
      await release?.();
      expect(await raw.exists(`${cache.prefix}l:k`)).toBe(0);
    } finally {
      await cache.close();
    }
  });
});
