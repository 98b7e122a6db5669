import {
  CacheConnectionError,
  CacheError,
  CacheErrorCode,
  CacheInvalidationError,
  CacheTimeoutError,
} from '@cache/core';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePorts, type RedisServerHandle, startRedisServer } from '@cache/redis-launcher';
import { RedisCache } from '../src/index.js';
import { REDIS_URL, rawRedis, sleep, track } from './helpers/redis.js';

/** Retries `fn` every 50 ms until it resolves, at most `attempts` times; returns the errors seen. */
async function until(fn: () => Promise<unknown>, attempts = 100): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let i = 0; i < attempts; i++) {
    try {
      await fn();
      return errors;
    } catch (error) {
      errors.push(error);
      await sleep(50);
    }
  }
  throw new Error(`still failing after ${attempts} attempts: ${String(errors.at(-1))}`);
}

describe('an unreachable server', () => {
  it('fails every operation with CacheConnectionError (invalidations: CacheInvalidationError caused by it), never a hanging promise', {
    timeout: 10_000,
  }, async () => {
    const [port] = await findFreePorts(1);
    const cache = track(
      new RedisCache({
        url: `redis://127.0.0.1:${port}`,
        prefix: uniquePrefix(),
        connectTimeout: 300,
        commandTimeout: 500,
      }),
    );
    const results = await Promise.allSettled([
      cache.get('k'),
      cache.set('k', 1),
      cache.getMany(['a', 'b']),
      cache.setMany([['a', 1]]),
      cache.delete('k'),
      cache.add('k', 1),
      cache.clear(),
      cache.getOrSet('k', () => 1, { lock: true }),
      cache.set('tagged', 1, { tags: ['t'] }),
      (async () => {
        for await (const _ of cache.keys()) break;
      })(),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(CacheConnectionError);
      expect(reason.code).toBe(CacheErrorCode.connection);
    }
    const invalidations = await Promise.allSettled([cache.invalidateTags(['t']), cache.deleteMatching('k*')]);
    for (const result of invalidations) {
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(CacheInvalidationError);
      expect(reason.code).toBe(CacheErrorCode.invalidation);
      expect(reason.cause).toBeInstanceOf(CacheConnectionError);
    }
    expect(cache.stats.errors).toBe(12);
    await cache.close();
  });
});

describe('a dedicated server', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a command past commandTimeout is a CacheTimeoutError; the cache works once the server answers', async () => {
    const cache = track(new RedisCache({ url: server.url, prefix: uniquePrefix(), commandTimeout: 200 }));
    await cache.set('k', 1);
    const admin = rawRedis(server.url);
    await admin.call('CLIENT', 'PAUSE', '600', 'ALL');
    await expect(cache.get('k')).rejects.toBeInstanceOf(CacheTimeoutError);
    await expect(cache.set('j', 1)).rejects.toMatchObject({ code: CacheErrorCode.timeout });
    await until(() => cache.get('k'));
    expect(await cache.get('k')).toBe(1);
  });

  it('recovers after the server is killed and started again, with the same instance', {
    timeout: 20_000,
  }, async () => {
    const cache = track(
      new RedisCache({ url: server.url, prefix: uniquePrefix(), commandTimeout: 500, connectTimeout: 500 }),
    );
    await cache.set('k', 1);
    await server.kill();
    const down = await Promise.allSettled([cache.get('k'), cache.set('k', 2), cache.getMany(['k'])]);
    for (const result of down) {
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(CacheConnectionError);
    }
    await server.restart();
    const seen = await until(() => cache.set('k', 3));
    for (const error of seen) expect(error).toBeInstanceOf(CacheConnectionError);
    expect(await cache.get('k')).toBe(3);
  });
});

describe('failed invalidations', () => {
  it('a server error in the invalidation script rejects invalidateTags with CACHE_INVALIDATION, the cause attached', async () => {
    const cache = track(new RedisCache({ url: REDIS_URL, prefix: uniquePrefix('inval') }));
    const raw = rawRedis();
    // A tag record of the wrong type makes the script fail with WRONGTYPE.
    await raw.hset(`${cache.prefix}t:bad`, 'f', 'v');
    const error = await cache.invalidateTags(['ok', 'bad']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheInvalidationError);
    expect((error as CacheInvalidationError).code).toBe(CacheErrorCode.invalidation);
    expect((error as CacheInvalidationError).cause).toBeInstanceOf(CacheError);
    // So does a broken tag clock record.
    await raw.unlink(`${cache.prefix}t:bad`, `${cache.prefix}c:tags`);
    await raw.hset(`${cache.prefix}c:tags`, 'f', 'v');
    await expect(cache.invalidateTags(['ok'])).rejects.toMatchObject({ code: CacheErrorCode.invalidation });
  });

  it('deleteMatching that fails on the server rejects with CACHE_INVALIDATION', async () => {
    const cache = track(new RedisCache<number>({ url: REDIS_URL, prefix: uniquePrefix('inval') }));
    await cache.set('k1', 1);
    // An entry key of the wrong type makes the removal script fail with WRONGTYPE.
    const admin = rawRedis();
    await admin.hset(`${cache.prefix}e:k2`, 'f', 'v');
    const error = await cache.deleteMatching('k*').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheInvalidationError);
    expect((error as CacheInvalidationError).code).toBe(CacheErrorCode.invalidation);
    expect((error as CacheInvalidationError).cause).toBeInstanceOf(CacheError);
    expect(await admin.type(`${cache.prefix}e:k2`)).toBe('hash');
  });
});
