import { createBackend, MemoryCache } from '@cache/backend-memory';
import { CacheConfigError, CacheErrorCode, CacheFullError, CacheManager, createCache } from '@cache/core';
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
    const cache = await createCache<string>('memory://?maxBytes=10MB&maxEntrySize=1KB');
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
