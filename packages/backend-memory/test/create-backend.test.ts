import { createBackend, MemoryCache } from '@cache/backend-memory';
import { CacheConfigError, CacheErrorCode, CacheFullError, CacheManager, createCache } from '@cache/core';
import { configFromUrl } from '@cache/core/backend';
import { describe, expect, it } from 'vitest';

describe('createBackend and createCache', () => {
  it('memory:// with query options makes a MemoryCache with those options', async () => {
    const cache = await createCache<string>('memory://?maxEntries=2&defaultTtl=5m&policy=lru&name=pages');
    expect(cache).toBeInstanceOf(MemoryCache);
    expect(cache.name).toBe('pages');
    await cache.set('a', '1');
    await cache.set('b', '2');
    await cache.set('c', '3');
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, '2', '3']);
    const entry = await cache.getEntry('c');
    expect((entry?.expiresAt ?? 0) - (entry?.createdAt ?? 0)).toBe(300_000);
    await cache.close();
  });

  it('receives byte sizes from the URL already parsed', async () => {
    const cache = await createCache<string>('memory://?maxBytes=10MB&maxEntryBytes=1KB');
    expect(cache).toBeInstanceOf(MemoryCache);
    await expect(cache.set('k', 'x'.repeat(1100))).rejects.toBeInstanceOf(CacheFullError);
    await cache.set('k', 'x'.repeat(1000));
    expect((cache as MemoryCache<string>).bytes).toBe(1002);
    await cache.close();
  });

  it('works from a config object and a CacheManager', async () => {
    const manager = new CacheManager({ sessions: { backend: 'memory', maxEntries: 10 }, pages: 'memory://' });
    const sessions = await manager.get('sessions');
    expect(sessions).toBeInstanceOf(MemoryCache);
    expect(sessions.name).toBe('sessions');
    await manager.close();
  });

  it('refuses unknown or bad options with CacheConfigError', async () => {
    await expect(createCache('memory://?maxEntrys=10')).rejects.toMatchObject({
      code: CacheErrorCode.config,
    });
    await expect(createCache('memory://?policy=random')).rejects.toBeInstanceOf(CacheConfigError);
    expect(() => createBackend({ maxEntries: -1 })).toThrow(CacheConfigError);
  });
});

describe('memory:// URLs', () => {
  it('take their options from the query only', async () => {
    expect(
      await configFromUrl('memory://?maxEntries=10&sweepInterval=false&persist=snap.json&policy=lru'),
    ).toEqual({
      backend: 'memory',
      maxEntries: 10,
      sweepInterval: false,
      persist: 'snap.json',
      policy: 'lru',
    });
    expect(await configFromUrl('memory://')).toEqual({ backend: 'memory' });
  });

  it.each([
    [
      'memory://host',
      'memory:// takes no host or path here, got "host" (a backend reads them by exporting optionsFromUrl)',
    ],
    [
      'memory:///snap.json',
      'memory:// takes no host or path here, got "/snap.json" (a backend reads them by exporting optionsFromUrl)',
    ],
    ['memory://?maxEntrys=10', 'MemoryCache has no option "maxEntrys"'],
    [
      'memory://?policy=random',
      'policy must be one of tinylfu, lru, lfu, fifo, ttl, sieve, s3fifo, none, got random',
    ],
    ['memory://?maxBytes=lots', `maxBytes "lots" is not a size ('64KB', '500MB' or bytes)`],
    [
      'memory://?sweepInterval=true',
      'sweepInterval must be a number of milliseconds or a string, got boolean',
    ],
  ])('createCache refuses %s', async (url, message) => {
    const error = await createCache(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect(error).toMatchObject({ code: 'CACHE_CONFIG', message });
  });
});
