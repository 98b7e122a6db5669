import { CacheConfigError, CacheErrorCode } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness, recordEvents } from '../internal/harness.js';

/** Short real TTLs when no clock can be injected (as in the TTL concern). */
const REAL_TTL = 400;
const REAL_WAIT = 800;

/** Recorded events sorted by their key, for operations whose order is the backend's. */
function sortByKey(events: readonly [string, unknown][]): [string, unknown][] {
  const keyOf = (event: readonly [string, unknown]) => (event[1] as { key: string }).key;
  return [...events].sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : keyOf(x) > keyOf(y) ? 1 : 0));
}

/** Events: exact names and payloads per operation, unsubscribe, throwing listeners. */
export function eventsContract(h: Harness): void {
  describe('events', () => {
    it('emits set, hit, miss, delete and clear with exact payloads', async () => {
      const { cache } = await h.make();
      const recorded = recordEvents(cache);
      await cache.set('a', 1);
      await cache.get('a');
      await cache.get('b');
      expect(await cache.add('a', 2)).toBe(false);
      expect(await cache.add('b', 2)).toBe(true);
      await cache.delete('a');
      await cache.delete('a');
      await cache.getOrThrow('b');
      await cache.getEntry('zz');
      await cache.clear();
      await cache.clear({ prefix: 'p:' });
      expect(recorded.events).toEqual([
        ['set', { key: 'a' }],
        ['hit', { key: 'a' }],
        ['miss', { key: 'b' }],
        ['set', { key: 'b' }],
        ['delete', { key: 'a' }],
        ['hit', { key: 'b' }],
        ['miss', { key: 'zz' }],
        ['clear', { prefix: undefined }],
        ['clear', { prefix: 'p:' }],
      ]);
    });

    it('emits one event per key for getMany and setMany, in order', async () => {
      const { cache } = await h.make();
      const recorded = recordEvents(cache);
      await cache.setMany([
        ['x', 1],
        ['y', 2],
      ]);
      await cache.getMany(['y', 'nope', 'x']);
      expect(recorded.events).toEqual([
        ['set', { key: 'x' }],
        ['set', { key: 'y' }],
        ['hit', { key: 'y' }],
        ['miss', { key: 'nope' }],
        ['hit', { key: 'x' }],
      ]);
    });

    it('emits one delete per live entry that deleteMany removes: each key once, in the order given', async () => {
      const { cache } = await h.make();
      await cache.setMany([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      const recorded = recordEvents(cache);
      expect(await cache.deleteMany(['b', 'zz', 'a', 'b', 'zz', 'a'])).toBe(2);
      expect(await cache.deleteMany(['a', 'b', 'zz'])).toBe(0);
      expect(await cache.deleteMany([])).toBe(0);
      expect(await cache.deleteMany(['c'])).toBe(1);
      expect(recorded.events).toEqual([
        ['delete', { key: 'b' }],
        ['delete', { key: 'a' }],
        ['delete', { key: 'c' }],
      ]);
      expect(cache.stats.deletes).toBe(3);
    });

    it('emits one delete per live entry that deleteMatching removes, and none for the others', async () => {
      const { cache } = await h.make();
      await cache.setMany([
        ['user:1', 1],
        ['user:2', 2],
        ['user:10', 10],
        ['admin:1', 1],
        ['user:*', 0],
      ]);
      const recorded = recordEvents(cache);
      expect(await cache.deleteMatching('user:?')).toBe(3);
      expect(await cache.deleteMatching('user:?')).toBe(0);
      expect(await cache.deleteMatching('nothing*')).toBe(0);
      // The order of a pattern's removals is the backend's scan order.
      expect(sortByKey(recorded.events)).toEqual([
        ['delete', { key: 'user:*' }],
        ['delete', { key: 'user:1' }],
        ['delete', { key: 'user:2' }],
      ]);
      recorded.events.length = 0;
      expect(await cache.deleteMatching('*')).toBe(2);
      expect(sortByKey(recorded.events)).toEqual([
        ['delete', { key: 'admin:1' }],
        ['delete', { key: 'user:10' }],
      ]);
      expect(cache.stats.deletes).toBe(5);
    });

    it('emits no delete for an expired entry that deleteMany or deleteMatching removes', async () => {
      const fx = await h.make();
      const ttl = fx.clock ? 1000 : REAL_TTL;
      // 'old:plain' may be gone from the store once expired; the stale-window entries are still held.
      await fx.cache.set('old:plain', 1, { ttl });
      await fx.cache.getOrSet('old:stale', () => 1, { ttl, staleWhileRevalidate: '1h' });
      await fx.cache.getOrSet('m:stale', () => 1, { ttl, staleWhileRevalidate: '1h' });
      await fx.cache.setMany([
        ['live', 1],
        ['m:live', 1],
      ]);
      await fx.pass(fx.clock ? ttl : REAL_WAIT);
      const recorded = recordEvents(fx.cache, ['delete']);
      expect(await fx.cache.deleteMany(['old:plain', 'old:stale', 'live', 'old:stale', 'gone'])).toBe(1);
      expect(await fx.cache.deleteMatching('m:*')).toBe(1);
      expect(recorded.events).toEqual([
        ['delete', { key: 'live' }],
        ['delete', { key: 'm:live' }],
      ]);
      expect(fx.cache.stats.deletes).toBe(2);
      expect(await collect(fx.cache.keys())).toEqual([]);
    });

    it('emits miss then set for a computing getOrSet, and hit for a cached one', async () => {
      const { cache } = await h.make();
      const recorded = recordEvents(cache);
      await cache.getOrSet('k', () => 1);
      await cache.getOrSet('k', () => 2);
      expect(recorded.events).toEqual([
        ['miss', { key: 'k' }],
        ['set', { key: 'k' }],
        ['hit', { key: 'k' }],
      ]);
    });

    if (h.hasClock) {
      it('emits expire once when a read finds an expired entry', async () => {
        const fx = await h.make();
        await fx.cache.set('k', 1, { ttl: 1000 });
        const recorded = recordEvents(fx.cache, ['expire', 'miss', 'evict']);
        fx.clock!.advance(1000);
        expect(await fx.cache.get('k')).toBeUndefined();
        expect(await fx.cache.get('k')).toBeUndefined();
        expect(recorded.events).toEqual([
          ['expire', { key: 'k' }],
          ['miss', { key: 'k' }],
          ['miss', { key: 'k' }],
        ]);
      });
    }

    it('stops calling a listener after its unsubscribe, and leaves the others', async () => {
      const { cache } = await h.make();
      const first: string[] = [];
      const second: string[] = [];
      const off = cache.on('set', ({ key }) => first.push(key));
      cache.on('set', ({ key }) => second.push(key));
      await cache.set('a', 1);
      off();
      off();
      await cache.set('b', 1);
      expect(first).toEqual(['a']);
      expect(second).toEqual(['a', 'b']);
    });

    it('is not disturbed by a throwing listener', async () => {
      const { cache } = await h.make();
      cache.on('set', () => {
        throw new Error('listener failed');
      });
      cache.on('hit', () => {
        throw new Error('listener failed');
      });
      await cache.set('a', 1);
      expect(await cache.get('a')).toBe(1);
      expect(cache.stats.errors).toBe(0);
    });

    it('refuses an unknown event or a listener that is not a function', async () => {
      const { cache } = await h.make();
      const code = CacheErrorCode.config;
      await expectCacheError(() => cache.on('bogus' as 'set', () => {}), CacheConfigError, code);
      await expectCacheError(() => cache.on('set', 5 as unknown as () => void), CacheConfigError, code);
    });
  });
}
