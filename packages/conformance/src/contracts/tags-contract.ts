import { CacheConfigError, CacheErrorCode, CacheKeyError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness } from '../internal/harness.js';

/** Tags: `invalidateTags` makes every earlier entry with any of the tags a miss, and only those. */
export function tagsContract(h: Harness): void {
  describe('tags', () => {
    it('invalidates exactly the entries written earlier with any of the tags', async () => {
      const { cache } = await h.make();
      await cache.set('a', 1, { tags: ['t1'] });
      await cache.set('b', 2, { tags: ['t2'] });
      await cache.set('c', 3, { tags: ['t1', 't2'] });
      await cache.set('d', 4);
      await cache.set('e', 5, { tags: ['t3', 't:*'] });
      await cache.invalidateTags(['t1']);
      expect(await cache.getMany(['a', 'b', 'c', 'd', 'e'])).toEqual([undefined, 2, undefined, 4, 5]);
      expect(await cache.has('a')).toBe(false);
      expect(await cache.getEntry('c')).toBeUndefined();
      await expectCacheError(() => cache.getOrThrow('a'), CacheKeyError, CacheErrorCode.keyMissing);
      await cache.invalidateTags(['nothing', 't:*']);
      expect(await cache.getMany(['b', 'd', 'e'])).toEqual([2, 4, undefined]);
    });

    it('keeps entries written after the invalidation, even at the same instant', async () => {
      const { cache } = await h.make();
      await cache.set('a', 'old', { tags: ['t'] });
      await cache.invalidateTags(['t']);
      await cache.set('a', 'new', { tags: ['t'] });
      await cache.setMany([['b', 'new']], { tags: ['t'] });
      expect(await cache.add('c', 'new', { tags: ['t'] })).toBe(true);
      expect(await cache.getOrSet('d', () => 'new', { tags: ['t'] })).toBe('new');
      expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual(['new', 'new', 'new', 'new']);
      await cache.invalidateTags(['t']);
      expect(await cache.getMany(['a', 'b', 'c', 'd'])).toEqual([undefined, undefined, undefined, undefined]);
      await cache.set('a', 'newer', { tags: ['t'] });
      expect(await cache.get('a')).toBe('newer');
    });

    it('invalidates several tags in one call', async () => {
      const { cache } = await h.make();
      await cache.set('a', 1, { tags: ['x'] });
      await cache.set('b', 2, { tags: ['y'] });
      await cache.set('c', 3, { tags: ['z'] });
      await cache.invalidateTags(['x', 'y']);
      expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, undefined, 3]);
      await cache.invalidateTags([]);
      expect(await cache.get('c')).toBe(3);
    });

    it('lets add and getOrSet treat an invalidated entry as absent', async () => {
      const { cache } = await h.make();
      await cache.set('a', 'old', { tags: ['t'] });
      await cache.set('b', 'old', { tags: ['t'] });
      await cache.invalidateTags(['t']);
      expect(await cache.add('a', 'new')).toBe(true);
      let calls = 0;
      expect(
        await cache.getOrSet('b', () => {
          calls++;
          return 'computed';
        }),
      ).toBe('computed');
      expect(calls).toBe(1);
      expect(await cache.getMany(['a', 'b'])).toEqual(['new', 'computed']);
    });

    it('reports the tags of an entry, duplicates removed', async () => {
      const { cache } = await h.make();
      await cache.set('a', 1, { tags: ['x', 'y', 'x', 'emoji 😀'] });
      expect((await cache.getEntry('a'))?.tags).toEqual(['x', 'y', 'emoji 😀']);
      await cache.set('b', 1);
      expect((await cache.getEntry('b'))?.tags).toEqual([]);
    });

    it('refuses bad tags with CacheConfigError and keeps the previous value', async () => {
      const { cache } = await h.make();
      await cache.set('k', 'before', { tags: ['t'] });
      const code = CacheErrorCode.config;
      for (const tags of ['t', [''], [5], [null], 't'.repeat(2000).split('x')] as unknown as string[][]) {
        await expectCacheError(() => cache.set('k', 'after', { tags }), CacheConfigError, code);
        await expectCacheError(() => cache.add('n', 'after', { tags }), CacheConfigError, code);
        await expectCacheError(() => cache.setMany([['k', 'after']], { tags }), CacheConfigError, code);
        await expectCacheError(() => cache.getOrSet('n', () => 'after', { tags }), CacheConfigError, code);
        await expectCacheError(() => cache.invalidateTags(tags), CacheConfigError, code);
      }
      expect(await cache.get('k')).toBe('before');
      expect(await collect(cache.keys())).toEqual(['k']);
    });
  });
}
