import { describe, expect, it } from 'vitest';
import { collect, type Harness } from '../internal/harness.js';

/** `add` writes only when absent, `delete` reports whether an entry existed. */
export function addDeleteContract(h: Harness): void {
  describe('add and delete', () => {
    it('adds only when the key is absent and reports it', async () => {
      const { cache } = await h.make();
      expect(await cache.add('k', 'first')).toBe(true);
      expect(await cache.add('k', 'second')).toBe(false);
      expect(await cache.get('k')).toBe('first');
      await cache.set('k', 'third');
      expect(await cache.add('k', 'fourth')).toBe(false);
      expect(await cache.get('k')).toBe('third');
      expect(await cache.delete('k')).toBe(true);
      expect(await cache.add('k', 'fifth')).toBe(true);
      expect(await cache.get('k')).toBe('fifth');
      expect(cache.stats.sets).toBe(3);
    });

    it('lets exactly one of many concurrent adds win', async () => {
      const { cache } = await h.make();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cache.add('k', i)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await cache.get('k')).toBe(results.indexOf(true));
      expect(cache.stats.sets).toBe(1);
    });

    it('deletes and reports whether the entry existed', async () => {
      const { cache } = await h.make();
      await cache.set('a', 1);
      await cache.set('b', 2);
      expect(await cache.delete('a')).toBe(true);
      expect(await cache.delete('a')).toBe(false);
      expect(await cache.delete('never')).toBe(false);
      expect(await cache.has('a')).toBe(false);
      expect(await cache.get('a')).toBeUndefined();
      expect(await collect(cache.keys())).toEqual(['b']);
      expect(cache.stats.deletes).toBe(1);
    });

    it('lets exactly one of many concurrent deletes report the entry', async () => {
      const { cache } = await h.make();
      await cache.set('k', 1);
      const results = await Promise.all(Array.from({ length: 10 }, () => cache.delete('k')));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await cache.has('k')).toBe(false);
    });

    it('keeps the ttl and tags given to add', async () => {
      const fx = await h.make();
      expect(await fx.cache.add('k', 1, { ttl: '1m', tags: ['t'] })).toBe(true);
      const entry = await fx.cache.getEntry('k');
      expect(entry?.expiresAt).toBe((entry?.createdAt ?? Number.NaN) + 60_000);
      expect(entry?.tags).toEqual(['t']);
      await fx.cache.invalidateTags(['t']);
      expect(await fx.cache.has('k')).toBe(false);
      expect(await fx.cache.add('k', 2)).toBe(true);
      expect(await fx.cache.get('k')).toBe(2);
    });
  });
}
