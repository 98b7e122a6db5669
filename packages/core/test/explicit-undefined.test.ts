// Options given as `undefined` (as `exactOptionalPropertyTypes` now allows) mean the default, at run
// time too: no option check trips on them, and each falls back to what an absent option gives.
import { ManualClock, MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { CacheError, CacheKeyError, memoize } from '../src/index.js';

const START = 1_700_000_000_000;

describe('options given as undefined', () => {
  it('in the constructor mean the defaults (name, no TTL, 1024-byte keys, system clock, throw)', async () => {
    const cache = new MapCache({
      name: undefined,
      defaultTtl: undefined,
      maxKeyBytes: undefined,
      clock: undefined,
      onBackendError: undefined,
    });
    expect(cache.name).toBe('map');
    const before = Date.now();
    await cache.set('k', 1);
    const entry = await cache.getEntry('k');
    expect(entry?.expiresAt).toBeUndefined();
    expect(entry?.createdAt).toBeGreaterThanOrEqual(before);
    await cache.set('x'.repeat(1024), 1);
    await expect(cache.set('x'.repeat(1025), 1)).rejects.toBeInstanceOf(CacheKeyError);
    cache.failWith(new Error('down'), ['readEntry']);
    // onBackendError undefined: the default, 'throw'.
    await expect(cache.getOrSet('k', () => 2)).rejects.toMatchObject({ code: 'CACHE_ERROR' });
  });

  it('on writes mean the cache defaultTtl and no tags', async () => {
    const clock = new ManualClock(START);
    const cache = new MapCache({ clock, defaultTtl: '1s' });
    await cache.set('a', 1, { ttl: undefined, tags: undefined });
    expect(await cache.add('b', 2, { ttl: undefined, tags: undefined })).toBe(true);
    await cache.setMany([['c', 3]], { ttl: undefined, tags: undefined });
    for (const key of ['a', 'b', 'c']) {
      expect(await cache.getEntry(key)).toMatchObject({ expiresAt: START + 1000, tags: [] });
    }
    clock.advance(1000);
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, undefined]);
  });

  it('in getOrSet mean no timeout, no stale windows, no lock and the default TTL', async () => {
    const clock = new ManualClock(START);
    const cache = new MapCache({ clock, defaultTtl: '1s' });
    let runs = 0;
    const options = {
      ttl: undefined,
      tags: undefined,
      timeout: undefined,
      staleWhileRevalidate: undefined,
      staleIfError: undefined,
      lock: undefined,
      onBackendError: undefined,
    };
    expect(await cache.getOrSet('k', () => ++runs, options)).toBe(1);
    expect(await cache.getOrSet('k', () => ++runs, options)).toBe(1);
    expect(await cache.getEntry('k')).toMatchObject({ value: 1, expiresAt: START + 1000, tags: [] });
    const lock = { lease: undefined, wait: undefined };
    expect(await cache.getOrSet('l', () => 'locked', { lock })).toBe('locked');
    clock.advance(1000);
    // No stale window: the expired value is not served, the factory runs again.
    expect(await cache.getOrSet('k', () => ++runs, options)).toBe(2);
    expect(runs).toBe(2);
  });

  it('as a prefix of keys() and clear() mean every key', async () => {
    const cache = new MapCache();
    await cache.setMany([
      ['a:1', 1],
      ['b:1', 2],
    ]);
    const keys: string[] = [];
    for await (const key of cache.keys({ prefix: undefined })) keys.push(key);
    expect(keys.sort()).toEqual(['a:1', 'b:1']);
    await cache.clear({ prefix: undefined });
    expect(await cache.getMany(['a:1', 'b:1'])).toEqual([undefined, undefined]);
  });

  it('in memoize mean a private name, the argument key, the default TTL and no tags', async () => {
    const clock = new ManualClock(START);
    const cache = new MapCache({ clock, defaultTtl: '1m' });
    let calls = 0;
    const double = memoize(
      async (n: number) => {
        calls++;
        return n * 2;
      },
      { cache, name: undefined, key: undefined, ttl: undefined, tags: undefined },
    );
    expect(await double(2)).toBe(4);
    expect(await double(2)).toBe(4);
    expect(calls).toBe(1);
    const [key] = [...cache.entries.keys()];
    expect(key).toMatch(/^memoize:[0-9a-f-]{36}:/);
    expect(cache.entries.get(key as string)).toMatchObject({ expiresAt: START + 60_000, tags: [] });
  });

  it('in CacheError options mean no key and no cause', () => {
    const error = new CacheError('failed', { key: undefined, cause: undefined });
    expect(error.key).toBeUndefined();
    expect('cause' in error).toBe(false);
  });
});
