import { CacheKeyError, CacheSerializationError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { ManualClock, MapCache } from '../src/index.js';

describe('MapCache', () => {
  it('stores, expires by the manual clock and counts', async () => {
    const clock = new ManualClock();
    const cache = new MapCache<string>({ clock });
    await cache.set('a', 'x', { ttl: '1s' });
    expect(await cache.get('a')).toBe('x');
    clock.advance(1000);
    expect(await cache.get('a')).toBeUndefined();
    expect(cache.stats.snapshot()).toMatchObject({ hits: 1, misses: 1, sets: 1, expirations: 1 });
    await expect(cache.get('')).rejects.toBeInstanceOf(CacheKeyError);
    await expect(cache.set('b', undefined as unknown as string)).rejects.toBeInstanceOf(
      CacheSerializationError,
    );
  });
});

describe('MapCache.failWith', () => {
  it('makes the named primitives throw until healed, leaving the map untouched', async () => {
    const cache = new MapCache<string>();
    await cache.set('a', 'x');
    const failure = new Error('disk full');
    cache.failWith(failure, ['writeEntry']);
    await expect(cache.set('a', 'y')).rejects.toMatchObject({ code: 'CACHE_ERROR', cause: failure });
    expect(await cache.get('a')).toBe('x');
    let made = 0;
    cache.failWith(() => new Error(`fresh ${++made}`));
    await expect(cache.get('a')).rejects.toMatchObject({ code: 'CACHE_ERROR' });
    await expect(cache.has('a')).rejects.toMatchObject({ code: 'CACHE_ERROR' });
    expect(made).toBe(2);
    cache.failWith(undefined);
    expect(await cache.get('a')).toBe('x');
  });
});
