import { CacheConfigError, CacheErrorCode } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness } from '../internal/harness.js';

/** `getMany`, `setMany`, `deleteMany`: order, duplicates, misses, iterables, counts. */
export function manyKeysContract(h: Harness): void {
  describe('many-key operations', () => {
    it('getMany returns values in the order asked, undefined for misses, duplicates repeated', async () => {
      const { cache } = await h.make();
      await cache.setMany([
        ['a', 1],
        ['b', null],
        ['c', 'three'],
      ]);
      expect(await cache.getMany(['c', 'x', 'a', 'b', 'a', 'y'])).toEqual([
        'three',
        undefined,
        1,
        null,
        1,
        undefined,
      ]);
      expect(await cache.getMany([])).toEqual([]);
      expect(cache.stats.snapshot()).toMatchObject({ hits: 4, misses: 2, sets: 3 });
    });

    it('setMany takes any iterable of pairs; the last write of a key wins', async () => {
      const { cache } = await h.make();
      await cache.setMany(new Map([['m', 1]]));
      function* pairs(): Generator<[string, unknown]> {
        yield ['g', 1];
        yield ['g', 2];
        yield ['h', 3];
      }
      await cache.setMany(pairs());
      await cache.setMany([]);
      expect(await cache.getMany(['m', 'g', 'h'])).toEqual([1, 2, 3]);
      expect(await collect(cache.keys())).toEqual(['g', 'h', 'm']);
      expect(cache.stats.sets).toBe(3);
    });

    it('setMany applies its ttl and tags to every entry', async () => {
      const { cache } = await h.make();
      await cache.setMany(
        [
          ['a', 1],
          ['b', 2],
        ],
        { ttl: '10s', tags: ['group'] },
      );
      await cache.set('c', 3, { tags: ['other'] });
      for (const key of ['a', 'b']) {
        const entry = await cache.getEntry(key);
        expect(entry?.expiresAt).toBe((entry?.createdAt ?? Number.NaN) + 10_000);
        expect(entry?.tags).toEqual(['group']);
      }
      await cache.invalidateTags(['group']);
      expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, 3]);
    });

    it('setMany writes nothing when one pair is bad', async () => {
      const { cache } = await h.make();
      await cache.set('a', 'before');
      await expectCacheError(
        () => cache.setMany([['a', 'after'], 'b' as unknown as [string, unknown]]),
        CacheConfigError,
        CacheErrorCode.config,
      );
      await expectCacheError(
        () => cache.setMany(5 as unknown as []),
        CacheConfigError,
        CacheErrorCode.config,
      );
      await expectCacheError(
        () => cache.setMany(null as unknown as []),
        CacheConfigError,
        CacheErrorCode.config,
      );
      expect(await cache.get('a')).toBe('before');
      expect(await collect(cache.keys())).toEqual(['a']);
    });

    it('deleteMany returns how many distinct entries existed', async () => {
      const { cache } = await h.make();
      await cache.setMany([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      expect(await cache.deleteMany(['a', 'a', 'b', 'zz'])).toBe(2);
      expect(await cache.deleteMany(['a', 'b'])).toBe(0);
      expect(await cache.deleteMany([])).toBe(0);
      expect(await collect(cache.keys())).toEqual(['c']);
      expect(cache.stats.deletes).toBe(2);
    });

    it('handles a few hundred keys in one call', async () => {
      const { cache } = await h.make();
      const keys = Array.from({ length: 300 }, (_, i) => `key:${i}`);
      await cache.setMany(keys.map((key, i) => [key, i] as const));
      expect(await cache.getMany(keys)).toEqual(keys.map((_, i) => i));
      expect((await collect(cache.keys())).length).toBe(300);
      expect(await cache.deleteMany(keys.slice(0, 150))).toBe(150);
      expect((await collect(cache.keys())).length).toBe(150);
    });
  });
}
