import { CacheConfigError, createCache } from '@cache/core';
import { configFromUrl, parseCacheUrl } from '@cache/core/backend';
import { describe, expect, it } from 'vitest';
import { optionsFromUrl, RedisCache } from '../src/index.js';
import { track } from './helpers/redis.js';

describe('redis:// and rediss:// URLs', () => {
  it('gives the URL before the query to ioredis as written, and the query as the options', async () => {
    expect(await configFromUrl('redis://:pw@127.0.0.1:6380/2?prefix=app:')).toEqual({
      backend: 'redis',
      url: 'redis://:pw@127.0.0.1:6380/2',
      prefix: 'app:',
    });
    expect(await configFromUrl('rediss://host:6380')).toEqual({
      backend: 'redis',
      url: 'rediss://host:6380',
    });
  });

  it.each([
    ['redis://', 'redis://'],
    ['REDIS://Host', 'redis://Host'],
    ['redis://user:p%40ss@[::1]:6379/0', 'redis://user:p%40ss@[::1]:6379/0'],
    ['rediss://:pw@host', 'rediss://:pw@host'],
  ])('%s has the url %s', (text, url) => {
    expect(parseCacheUrl(text, optionsFromUrl)).toEqual({ backend: 'redis', url });
  });

  it('takes the URL from the path, not the query, and reads values as for every URL', () => {
    expect(
      parseCacheUrl(
        'redis://h/1?url=redis://other&commandTimeout=2500&autoPipelining=false&prefix=a%26b:',
        optionsFromUrl,
      ),
    ).toEqual({
      backend: 'redis',
      url: 'redis://h/1',
      commandTimeout: 2500,
      autoPipelining: false,
      prefix: 'a&b:',
    });
  });

  it('createCache("rediss://...") makes a RedisCache with TLS on', async () => {
    const cache = track((await createCache('rediss://127.0.0.1:1?connectTimeout=200')) as RedisCache);
    expect(cache).toBeInstanceOf(RedisCache);
    expect((cache.client.options as { tls?: unknown }).tls).toBeDefined();
  });

  it.each([
    ['redis://127.0.0.1:99999', '"redis://127.0.0.1:99999" is not a valid URL'],
    ['redis://?prefix=', 'prefix must be a non-empty string'],
    ['redis://?sentinel=x', 'give only one of url, client, cluster, sentinel (got url, sentinel)'],
    ['redis://?prefixx=a', 'RedisCache has no option "prefixx"'],
  ])('createCache refuses %s', async (url, message) => {
    const error = await createCache(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error).toMatchObject({ code: 'CACHE_CONFIG', message });
  });
});
