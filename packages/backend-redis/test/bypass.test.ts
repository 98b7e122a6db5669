// `onBackendError: 'bypass'` against a real server that dies and one that stops answering:
// getOrSet returns the factory's value (and emits `error`) instead of failing.
import type { CacheError } from '@cache/core';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '@cache/redis-launcher';
import { signalRedis } from '@cache/redis-launcher/processes';
import { RedisCache } from '../src/index.js';
import { track } from './helpers/redis.js';

describe("getOrSet with onBackendError: 'bypass' on Redis", () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  function open(): { cache: RedisCache<string>; errors: CacheError[] } {
    const cache = track(
      new RedisCache<string>({
        url: server.url,
        prefix: uniquePrefix('bypass'),
        commandTimeout: 300,
        connectTimeout: 300,
        onBackendError: 'bypass',
      }),
    );
    const errors: CacheError[] = [];
    cache.on('error', ({ error }) => errors.push(error));
    return { cache, errors };
  }

  it('serves the factory while the server does not answer, and caches again when it does', async () => {
    const { cache, errors } = open();
    expect(await cache.getOrSet('k', () => 'first')).toBe('first');
    signalRedis(server.pid, server.port, 'SIGSTOP');
    try {
      expect(await cache.getOrSet('other', () => 'computed')).toBe('computed');
      expect(errors.map((e) => e.code)).toEqual(['CACHE_TIMEOUT']);
      await expect(cache.getOrSet('other', () => 'x', { onBackendError: 'throw' })).rejects.toMatchObject({
        code: 'CACHE_TIMEOUT',
      });
    } finally {
      signalRedis(server.pid, server.port, 'SIGCONT');
    }
    expect(await cache.getOrSet('k', () => 'unused')).toBe('first');
    expect(await cache.getOrSet('third', () => 'stored')).toBe('stored');
    expect(await cache.get('third')).toBe('stored');
  });
});
