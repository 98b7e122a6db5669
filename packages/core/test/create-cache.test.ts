import { MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { CacheConfigError, CacheManager, createCache, parseCacheUrl, registerBackend } from '../src/index.js';

describe('parseCacheUrl', () => {
  it('parses memory, file and redis URLs with options', () => {
    expect(parseCacheUrl('memory://?defaultTtl=5m&maxEntries=1000')).toEqual({
      backend: 'memory',
      defaultTtl: '5m',
      maxEntries: 1000,
    });
    expect(parseCacheUrl('file:///var/cache/app?maxBytes=500MB&fsync=true')).toEqual({
      backend: 'file',
      dir: '/var/cache/app',
      maxBytes: 524_288_000,
      fsync: true,
    });
    expect(parseCacheUrl('file://./rel/dir')).toMatchObject({
      backend: 'file',
      dir: `${process.cwd()}/rel/dir`,
    });
    expect(parseCacheUrl('redis://:pw@127.0.0.1:6380/2?prefix=app:')).toEqual({
      backend: 'redis',
      url: 'redis://:pw@127.0.0.1:6380/2',
      prefix: 'app:',
    });
    expect(parseCacheUrl('rediss://host:6380')).toEqual({ backend: 'redis', url: 'rediss://host:6380' });
  });

  it.each([['not a url'], ['memory://host'], ['file://'], ['file:///x?maxBytes=lots']])(
    'refuses %s',
    (url) => {
      expect(() => parseCacheUrl(url)).toThrow(CacheConfigError);
    },
  );
});

describe('createCache', () => {
  it('uses a registered backend with the options of the URL', async () => {
    const seen: unknown[] = [];
    registerBackend('maptest', () => (options) => {
      seen.push(options);
      return new MapCache(options);
    });
    const cache = await createCache('maptest://?defaultTtl=5m&name=pages');
    expect(cache).toBeInstanceOf(MapCache);
    expect(cache.name).toBe('pages');
    expect(seen).toEqual([{ defaultTtl: '5m', name: 'pages', url: 'maptest://' }]);
  });

  it('accepts a loader that returns a module with createBackend', async () => {
    registerBackend('modtest', async () => ({ createBackend: () => new MapCache() }));
    expect(await createCache({ backend: 'modtest' })).toBeInstanceOf(MapCache);
  });

  it('names the package to install when a backend is missing', async () => {
    const error = await createCache({ backend: 'nosuch' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as CacheConfigError).message).toContain('@cache/backend-nosuch');
  });

  it('refuses bad backend names and configurations', async () => {
    await expect(createCache({ backend: '../evil' })).rejects.toBeInstanceOf(CacheConfigError);
    await expect(createCache({} as never)).rejects.toBeInstanceOf(CacheConfigError);
    expect(() => registerBackend('Bad Name', () => () => new MapCache())).toThrow(CacheConfigError);
    registerBackend('broken', () => ({}) as never);
    await expect(createCache({ backend: 'broken' })).rejects.toBeInstanceOf(CacheConfigError);
  });
});

describe('CacheManager', () => {
  it('creates named caches once and closes them all', async () => {
    let created = 0;
    registerBackend('counted', () => (options) => {
      created++;
      return new MapCache(options);
    });
    const caches = new CacheManager({ sessions: { backend: 'counted' }, pages: 'counted://' });
    expect(caches.names).toEqual(['sessions', 'pages']);
    const sessions = await caches.get('sessions');
    expect(await caches.get('sessions')).toBe(sessions);
    expect(sessions.name).toBe('sessions');
    await (await caches.get('pages')).set('a', 1);
    expect(created).toBe(2);
    await expect(caches.get('nope')).rejects.toBeInstanceOf(CacheConfigError);
    await caches.close();
    await expect(sessions.get('a')).rejects.toMatchObject({ code: 'CACHE_CONFIG' });
    await expect(caches.get('sessions')).rejects.toBeInstanceOf(CacheConfigError);
  });
});
