import { MemoryCache } from '@cache/backend-memory';
import { CacheConfigError, CacheErrorCode, ManualClock } from '@cache/core';
import { collectSorted, expectCacheError } from '@cache/test-utils';
import { createCache as createCacheManager } from 'cache-manager';
import { Cacheable } from 'cacheable';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { fromKeyv, toKeyvStore } from '../src/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const cache of open.splice(0)) await cache.close();
});

function memory(): MemoryCache {
  const cache = new MemoryCache();
  open.push(cache);
  return cache;
}

describe('toKeyvStore as a Keyv store', () => {
  it('is accepted by keyv 5 as is, with an iterator, and prefixes keys once (keyv#1274)', async () => {
    const cache = memory();
    const keyv = new Keyv({ store: toKeyvStore(cache), namespace: 'users' });
    expect(typeof keyv.iterator).toBe('function');
    await keyv.set('42', { name: 'Ada' });
    expect(await collectSorted(cache.keys())).toEqual(['users:42']);
    expect(await keyv.get('42')).toEqual({ name: 'Ada' });
    const listed: [string, unknown][] = [];
    for await (const pair of keyv.iterator?.(undefined) ?? []) listed.push(pair as [string, unknown]);
    expect(listed).toEqual([['42', { name: 'Ada' }]]);
  });

  it('keeps 0, empty string and false as values; a miss is undefined', async () => {
    const keyv = new Keyv({ store: toKeyvStore(memory()) });
    await keyv.set('zero', 0);
    await keyv.set('empty', '');
    await keyv.set('no', false);
    expect(await keyv.get(['zero', 'empty', 'no', 'none'])).toEqual([0, '', false, undefined]);
    expect(await keyv.has('no')).toBe(true);
  });

  it('takes TTL 0 as none and a TTL in ms as the cache TTL', async () => {
    const clock = new ManualClock();
    const cache = new MemoryCache({ clock });
    open.push(cache);
    const store = toKeyvStore(cache);
    await store.set('forever', 'v', 0);
    await store.set('brief', 'v', 1000);
    expect((await cache.getEntry('forever'))?.expiresAt).toBeUndefined();
    expect((await cache.getEntry('brief'))?.expiresAt).toBe(clock.now() + 1000);
    clock.advance(1000);
    expect(await store.get('brief')).toBeUndefined();
    expect(await store.get('forever')).toBe('v');
  });

  it('clears only its own namespace when Keyv instances share a cache through their own adapters (keyv#1142)', async () => {
    const cache = memory();
    const users = new Keyv({ store: toKeyvStore(cache), namespace: 'users' });
    const pages = new Keyv({ store: toKeyvStore(cache), namespace: 'pages' });
    await cache.set('outside', 1);
    await users.set('a', 1);
    await pages.set('a', 2);
    await users.clear();
    expect(await collectSorted(cache.keys())).toEqual(['outside', 'pages:a']);
    expect(await pages.get('a')).toBe(2);
  });

  it('deletes many, reporting true only when every key was there', async () => {
    const keyv = new Keyv({ store: toKeyvStore(memory()) });
    await keyv.set('a', 1);
    await keyv.set('b', 2);
    expect(await keyv.delete(['a', 'b'])).toBe(true);
    await keyv.set('a', 1);
    expect(await keyv.delete(['a', 'missing'])).toBe(false);
  });

  it("passes the cache's errors to keyv's error event", async () => {
    const cache = memory();
    const keyv = new Keyv({ store: toKeyvStore(cache) });
    const seen: unknown[] = [];
    keyv.on('error', (error: unknown) => seen.push(error));
    await keyv.set('k'.repeat(2000), 'a key over the 1024-byte limit of the cache');
    expect(seen).toHaveLength(1);
    expect((seen[0] as CacheConfigError).code).toBe(CacheErrorCode.keyInvalid);
  });

  it('closes the cache on disconnect only with closeOnDisconnect', async () => {
    const kept = new MemoryCache();
    const closed = new MemoryCache();
    open.push(kept);
    await new Keyv({ store: toKeyvStore(kept) }).disconnect();
    await new Keyv({ store: toKeyvStore(closed, { closeOnDisconnect: true }) }).disconnect();
    await kept.set('k', 1);
    await expectCacheError(closed.set('k', 1), CacheConfigError, CacheErrorCode.config);
  });

  it('refuses what is not a cache, and a bad option', () => {
    expect(() => toKeyvStore({} as never)).toThrow(CacheConfigError);
    expect(() => toKeyvStore(memory(), { closeOnDisconnect: 'yes' as never })).toThrow(CacheConfigError);
  });
});

describe('toKeyvStore under cacheable and cache-manager', () => {
  it("is cacheable's primary and secondary: a secondary hit fills the primary", async () => {
    const primary = memory();
    const secondary = memory();
    const cacheable = new Cacheable({ primary: toKeyvStore(primary), secondary: toKeyvStore(secondary) });
    await cacheable.set('user', { id: 1 }, '1m');
    expect(await collectSorted(primary.keys())).toEqual(['keyv:user']);
    expect(await collectSorted(secondary.keys())).toEqual(['keyv:user']);
    await primary.clear();
    expect(await cacheable.get('user')).toEqual({ id: 1 });
    expect(await collectSorted(primary.keys())).toEqual(['keyv:user']);
    await cacheable.set('zero', 0);
    expect(await cacheable.get('zero')).toBe(0);
  });

  it("takes cacheable's namespace once, and cacheable's clear() removes only that namespace", async () => {
    const primary = memory();
    const cacheable = new Cacheable({ primary: toKeyvStore(primary), namespace: 'app' });
    await primary.set('outside', 1);
    await cacheable.set('k', false);
    expect(await collectSorted(primary.keys())).toEqual(['app:k', 'outside']);
    expect(await cacheable.get('k')).toBe(false);
    await cacheable.clear();
    expect(await collectSorted(primary.keys())).toEqual(['outside']);
  });

  it('is a cache-manager store: expiry, wrap and mget', async () => {
    const clock = new ManualClock(Date.now());
    const cache = new MemoryCache({ clock });
    open.push(cache);
    const manager = createCacheManager({ stores: [new Keyv({ store: toKeyvStore(cache) })] });
    await manager.set('a', 'A', 1000);
    await manager.set('b', false);
    expect(await manager.mget(['a', 'b', 'c'])).toEqual(['A', false, undefined]);
    let runs = 0;
    const compute = async () => {
      runs++;
      return { computed: runs };
    };
    expect(await manager.wrap('w', compute, 5000)).toEqual({ computed: 1 });
    expect(await manager.wrap('w', compute, 5000)).toEqual({ computed: 1 });
    expect(runs).toBe(1);
    clock.advance(1000);
    expect(await cache.has('keyv:a')).toBe(false);
    expect(await manager.get('b')).toBe(false);
  });
});

describe('fromKeyv', () => {
  it('declares a store keyv cannot iterate, and refuses keys(), clear({ prefix }) and deleteMatching over it', async () => {
    const rows = new Map<string, unknown>();
    // A minimal keyv 5 store without an iterator (keyv iterates only Maps and the dialects it knows).
    const store = {
      opts: { dialect: 'custom', url: '' },
      get: async (key: string) => rows.get(key),
      set: async (key: string, value: unknown) => void rows.set(key, value),
      delete: async (key: string) => rows.delete(key),
      clear: async () => rows.clear(),
      on: () => store,
    };
    const cache = fromKeyv(store as never);
    open.push(cache);
    expect(cache.capabilities).toEqual({ scan: false, atomicAdd: false, sharedLocks: false });
    await cache.set('k', 1, { tags: ['t'] });
    expect(await cache.get('k')).toBe(1);
    expect([...rows.keys()].sort()).toEqual(['cache:e:k']);
    await cache.invalidateTags(['t']);
    expect(await cache.get('k')).toBeUndefined();
    await expectCacheError(collectSorted(cache.keys()), CacheConfigError, CacheErrorCode.config);
    await expectCacheError(cache.clear({ prefix: 'k' }), CacheConfigError, CacheErrorCode.config);
    await expectCacheError(cache.deleteMatching('k*'), CacheConfigError, CacheErrorCode.config);
    await cache.clear();
    expect(rows.size).toBe(0);
  });

  it('removes and reports a row that is not an envelope', async () => {
    const keyv = new Keyv({ store: new Map(), namespace: 'app' });
    const cache = fromKeyv<string>(keyv);
    open.push(cache);
    const errors: string[] = [];
    cache.on('error', ({ error }) => errors.push(error.code));
    await keyv.set('e:bad', 'not an envelope');
    expect(await cache.get('bad')).toBeUndefined();
    expect(await keyv.get('e:bad')).toBeUndefined();
    expect(errors).toEqual([CacheErrorCode.serialization]);
  });

  it("clears only its own namespace of a Map that a neighbour's Keyv shares", async () => {
    const map = new Map();
    const neighbour = new Keyv({ store: map, namespace: 'other' });
    await neighbour.set('k', 'theirs');
    const cache = fromKeyv(map);
    open.push(cache);
    await cache.set('k', 'ours', { tags: ['t'] });
    await cache.invalidateTags(['t']);
    await cache.clear();
    expect([...map.keys()]).toEqual(['other:k']);
    expect(await neighbour.get('k')).toBe('theirs');
  });

  it("rejects with the store's error over a store it wraps; over a Keyv that swallows errors, a failed write still rejects", async () => {
    const failing = {
      opts: { dialect: 'custom', url: '' },
      get: async () => {
        throw new Error('store down');
      },
      set: async () => {
        throw new Error('store down');
      },
      delete: async () => false,
      clear: async () => undefined,
      on: () => failing,
    };
    const strict = fromKeyv(failing as never);
    open.push(strict);
    await expect(strict.set('k', 1)).rejects.toThrow('store down');
    await expect(strict.get('k')).rejects.toThrow('store down');
    const lenient = fromKeyv(new Keyv({ store: failing as never }));
    open.push(lenient);
    await expect(lenient.set('k', 1)).rejects.toThrow('the keyv store did not take the write of "e:k"');
    // keyv's default swallows a failed read without a trace: a miss.
    expect(await lenient.get('k')).toBeUndefined();
  });

  it('refuses a value that is not a store, unknown options, and a namespace beside a Keyv', () => {
    expect(() => fromKeyv(42 as never)).toThrow(CacheConfigError);
    expect(() => fromKeyv(new Map(), { nmespace: 'x' } as never)).toThrow(
      'fromKeyv has no option "nmespace"',
    );
    expect(() => fromKeyv(new Keyv(), { namespace: 'x' })).toThrow(CacheConfigError);
    expect(() => fromKeyv(new Map(), { namespace: '' })).toThrow(CacheConfigError);
  });
});
