// toKeyvStore under keyv 6 (installed as `keyv6`): keyv 6 takes the adapter as a full legacy
// storage adapter through its bridge, which turns expiry times into TTLs and prefixes keys itself.
import { MemoryCache } from '@cache/backend-memory';
import { ManualClock } from '@cache/core';
import { collectSorted } from '@cache/test-utils';
import Keyv, { detectKeyvStorage, KeyvBridgeAdapter } from 'keyv6';
import { afterEach, describe, expect, it } from 'vitest';
import { toKeyvStore } from '../src/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const cache of open.splice(0)) await cache.close();
});

function memory(clock?: ManualClock): MemoryCache {
  const cache = new MemoryCache(clock === undefined ? {} : { clock });
  open.push(cache);
  return cache;
}

describe('toKeyvStore under keyv 6', () => {
  it('is detected as a full storage adapter and bridged, without a probe', () => {
    const store = toKeyvStore(memory());
    expect(detectKeyvStorage(store).store).toBe('keyvStorage');
    const keyv = new Keyv({ store, namespace: 'users' });
    expect(keyv.store).toBeInstanceOf(KeyvBridgeAdapter);
    expect((keyv.store as KeyvBridgeAdapter).store).toBe(store);
    // The bridge prefixes keys itself: it never hands its namespace to the adapter.
    expect(store.namespace).toBeUndefined();
  });

  it('stores each key once under the namespace, reads it back and iterates it', async () => {
    const cache = memory();
    const keyv = new Keyv({ store: toKeyvStore(cache), namespace: 'users' });
    await keyv.set('42', { name: 'Ada' });
    expect(await collectSorted(cache.keys())).toEqual(['users::42']);
    expect(await keyv.get('42')).toEqual({ name: 'Ada' });
    expect(await keyv.has('42')).toBe(true);
    const listed: unknown[] = [];
    for await (const pair of keyv.iterator()) listed.push(pair);
    expect(listed).toEqual([['42', { name: 'Ada' }]]);
    expect(await keyv.delete('42')).toBe(true);
    expect(await keyv.get('42')).toBeUndefined();
    expect(await collectSorted(cache.keys())).toEqual([]);
  });

  it('keeps 0, empty string and false as values; a miss is undefined', async () => {
    const keyv = new Keyv({ store: toKeyvStore(memory()) });
    await keyv.set('zero', 0);
    await keyv.set('empty', '');
    await keyv.set('no', false);
    expect(await keyv.get(['zero', 'empty', 'no', 'none'])).toEqual([0, '', false, undefined]);
    expect(await keyv.has('no')).toBe(true);
  });

  it("expires an entry by the cache's clock from keyv 6's expiry time; TTL 0 means none", async () => {
    const clock = new ManualClock();
    const cache = memory(clock);
    const keyv = new Keyv({ store: toKeyvStore(cache) });
    await keyv.set('brief', 'v', 60_000);
    await keyv.set('forever', 'v', 0);
    const brief = await cache.getEntry('brief');
    expect(brief?.expiresAt).toBeGreaterThan(clock.now() + 59_000);
    expect(brief?.expiresAt).toBeLessThanOrEqual(clock.now() + 60_000);
    expect((await cache.getEntry('forever'))?.expiresAt).toBeUndefined();
    clock.advance(60_000);
    expect(await keyv.get('brief')).toBeUndefined();
    expect(await keyv.get('forever')).toBe('v');
  });

  it('clears only its own namespace, even with one adapter shared by two Keyv instances', async () => {
    const cache = memory();
    const store = toKeyvStore(cache);
    const users = new Keyv({ store, namespace: 'users' });
    const pages = new Keyv({ store, namespace: 'pages' });
    await cache.set('outside', 1);
    await users.set('a', 1);
    await pages.set('a', 2);
    await users.clear();
    expect(await collectSorted(cache.keys())).toEqual(['outside', 'pages::a']);
    expect(await pages.get('a')).toBe(2);
    expect(await users.get('a')).toBeUndefined();
  });

  it('sets and deletes many', async () => {
    const cache = memory();
    const keyv = new Keyv({ store: toKeyvStore(cache), namespace: 'n' });
    expect(
      await keyv.setMany([
        { key: 'a', value: 1 },
        { key: 'b', value: 2, ttl: 60_000 },
      ]),
    ).toEqual([true, true]);
    expect(await keyv.get(['a', 'b'])).toEqual([1, 2]);
    expect(await keyv.deleteMany(['a', 'b'])).toEqual([true, true]);
    expect(await collectSorted(cache.keys())).toEqual([]);
  });
});
