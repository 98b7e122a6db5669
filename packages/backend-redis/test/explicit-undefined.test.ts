// Options given as `undefined` (`new RedisCache({ url: process.env.REDIS_URL })`, allowed by the
// types under `exactOptionalPropertyTypes`) are accepted and mean the defaults.
import { uniquePrefix } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { RedisCache } from '../src/index.js';
import { cleanUp, REDIS_URL } from './helpers/redis.js';

describe('options given as undefined', () => {
  it('are accepted and mean the defaults', async () => {
    const prefix = uniquePrefix('undef');
    cleanUp(prefix);
    const cache = new RedisCache({
      // As an application writes it: undefined when REDIS_URL is unset (the default URL is then used).
      url: process.env.REDIS_URL,
      prefix,
      name: undefined,
      defaultTtl: undefined,
      maxKeyBytes: undefined,
      onBackendError: undefined,
      client: undefined,
      cluster: undefined,
      sentinel: undefined,
      redisOptions: undefined,
      serializer: undefined,
      commandTimeout: undefined,
      connectTimeout: undefined,
      autoPipelining: undefined,
    });
    try {
      expect(cache.name).toBe('redis');
      await cache.set('a', { n: 1 }, { ttl: undefined, tags: undefined });
      expect(await cache.get('a')).toEqual({ n: 1 });
      expect((await cache.getEntry('a'))?.expiresAt).toBeUndefined();
      expect(await cache.getOrSet('b', () => 2, { lock: { lease: undefined, wait: undefined } })).toBe(2);
    } finally {
      await cache.close();
    }
    expect(REDIS_URL).toBe(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });

  it('leaves the prefix at its default, cache:', async () => {
    const cache = new RedisCache({ url: REDIS_URL, prefix: undefined });
    try {
      expect(cache.prefix).toBe('cache:');
    } finally {
      await cache.close();
    }
  });
});
