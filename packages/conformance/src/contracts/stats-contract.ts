import { describe, expect, it } from 'vitest';
import type { Harness } from '../internal/harness.js';

const ZERO = {
  hits: 0,
  misses: 0,
  sets: 0,
  deletes: 0,
  evictions: 0,
  evictionsByCause: { capacity: 0, size: 0, expired: 0 },
  expirations: 0,
  errors: 0,
  hitRatio: 0,
};

/** Stats: exact counters per operation, `hitRatio`, `snapshot()`, `reset()`. */
export function statsContract(h: Harness): void {
  describe('stats', () => {
    it('starts at zero', async () => {
      const { cache } = await h.make();
      expect(cache.stats.snapshot()).toMatchObject(ZERO);
      expect(cache.stats.hitRatio).toBe(0);
    });

    it('counts each operation exactly', async () => {
      const { cache } = await h.make();
      await cache.set('a', 1);
      await cache.set('b', 2);
      await cache.get('a');
      await cache.get('c');
      await cache.getMany(['a', 'c']);
      await cache.delete('a');
      await cache.delete('a');
      expect(await cache.deleteMany(['b', 'zz'])).toBe(1);
      expect(await cache.add('b', 3)).toBe(true);
      expect(await cache.add('b', 4)).toBe(false);
      await cache.setMany([
        ['d', 1],
        ['e', 2],
      ]);
      await cache.getOrSet('f', () => 1);
      await cache.getOrSet('f', () => 2);
      await cache.has('f');
      await cache.has('nope');
      expect(await cache.deleteMatching('?')).toBe(4);
      expect(cache.stats.snapshot()).toMatchObject({
        hits: 3,
        misses: 3,
        sets: 6,
        deletes: 6,
        evictions: 0,
        expirations: 0,
        errors: 0,
        hitRatio: 0.5,
      });
      expect([cache.stats.hits, cache.stats.misses, cache.stats.sets, cache.stats.deletes]).toEqual([
        3, 3, 6, 6,
      ]);
    });

    if (h.hasClock) {
      it('counts an expiration found by a read', async () => {
        const fx = await h.make();
        await fx.cache.set('k', 1, { ttl: 100 });
        fx.clock!.advance(100);
        expect(await fx.cache.get('k')).toBeUndefined();
        expect(fx.cache.stats.snapshot()).toMatchObject({ misses: 1, expirations: 1, evictions: 0 });
      });
    }

    it('snapshot() is a plain copy; reset() zeroes every counter', async () => {
      const { cache } = await h.make();
      await cache.set('a', 1);
      await cache.get('a');
      await cache.get('b');
      const snapshot = cache.stats.snapshot();
      expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
      expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
      expect(snapshot).toMatchObject({ hits: 1, misses: 1, sets: 1, hitRatio: 0.5 });
      await cache.get('a');
      expect(snapshot.hits).toBe(1);
      cache.stats.reset();
      expect(cache.stats.snapshot()).toMatchObject(ZERO);
      expect(await cache.get('a')).toBe(1);
      expect(cache.stats.snapshot()).toMatchObject({ hits: 1, misses: 0, hitRatio: 1 });
    });

    it('reports entries (and bytes) in the snapshot when it gives them', async () => {
      const { cache } = await h.make();
      await cache.setMany([
        ['a', 'x'],
        ['b', 'y'],
        ['c', 'z'],
      ]);
      await cache.delete('c');
      const snapshot = cache.stats.snapshot();
      if (snapshot.entries !== undefined) expect(snapshot.entries).toBe(2);
      if (snapshot.bytes !== undefined) {
        expect(Number.isInteger(snapshot.bytes) && snapshot.bytes > 0).toBe(true);
        await cache.clear();
        expect(cache.stats.snapshot().bytes).toBe(0);
      }
    });

    it('keeps the counters of two caches apart', async () => {
      const first = await h.make();
      const second = await h.make();
      await first.cache.set('a', 1);
      await first.cache.get('a');
      expect(second.cache.stats.snapshot()).toMatchObject(ZERO);
    });
  });
}
