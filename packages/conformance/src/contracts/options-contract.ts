import { CacheConfigError, CacheErrorCode } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness } from '../internal/harness.js';

const CONFIG = CacheErrorCode.config;

/** Method options that are not an options object. */
const NOT_OBJECTS: readonly unknown[] = [
  null,
  0,
  5,
  'ttl',
  '',
  true,
  [],
  [['ttl', 1]],
  () => ({}),
  Symbol('o'),
];

/** Options objects with a bad `ttl` or bad `tags` (TTLs beyond 1000 years included). */
const BAD_WRITE_OPTIONS: readonly unknown[] = [
  { ttl: 0 },
  { ttl: -1 },
  { ttl: Number.NaN },
  { ttl: 'soon' },
  { ttl: null },
  { ttl: 1e300 },
  { ttl: Number.MAX_VALUE },
  { ttl: '400000d' },
  { tags: 't' },
  { tags: [''] },
  { tags: [5] },
  { tags: null },
];

/**
 * Options of every method: anything that is not an options object, and bad fields inside one,
 * are refused with `CacheConfigError` before anything is read or written.
 */
export function optionsContract(h: Harness): void {
  describe('method options', () => {
    async function filled() {
      const fx = await h.make();
      await fx.cache.set('k', 'before', { tags: ['t'] });
      await fx.cache.set('p:1', 'kept');
      return fx.cache;
    }

    async function expectUntouched(cache: Awaited<ReturnType<typeof filled>>): Promise<void> {
      expect(await cache.getMany(['k', 'p:1', 'new'])).toEqual(['before', 'kept', undefined]);
      expect((await cache.getEntry('k'))?.tags).toEqual(['t']);
      expect(await collect(cache.keys())).toEqual(['k', 'p:1']);
      expect(cache.stats.sets).toBe(2);
    }

    /** Every write with these options (`as never`: the point is a bad type). */
    function writes(cache: Awaited<ReturnType<typeof filled>>, options: unknown): (() => Promise<unknown>)[] {
      const o = options as never;
      return [
        () => cache.set('k', 'after', o),
        () => cache.add('new', 'after', o),
        () => cache.setMany([['k', 'after']], o),
        () => cache.setMany([], o),
        () => cache.getOrSet('new', () => 'after', o),
        () => cache.getOrSet('k', () => 'after', o),
      ];
    }

    it('refuses options that are not an object in set, add, setMany, getOrSet, keys and clear, with no effect', async () => {
      const cache = await filled();
      for (const options of NOT_OBJECTS) {
        for (const write of writes(cache, options)) await expectCacheError(write, CacheConfigError, CONFIG);
        await expectCacheError(() => collect(cache.keys(options as never)), CacheConfigError, CONFIG);
        await expectCacheError(() => cache.clear(options as never), CacheConfigError, CONFIG);
      }
      await expectUntouched(cache);
    });

    it('refuses a bad ttl or bad tags in the options of every write, keeping the previous value', async () => {
      const cache = await filled();
      for (const options of BAD_WRITE_OPTIONS)
        for (const write of writes(cache, options)) await expectCacheError(write, CacheConfigError, CONFIG);
      await expectUntouched(cache);
    });

    it('refuses a prefix that is not a string in keys and clear, with no effect', async () => {
      const cache = await filled();
      for (const prefix of [null, 5, ['p:'], {}]) {
        await expectCacheError(() => collect(cache.keys({ prefix } as never)), CacheConfigError, CONFIG);
        await expectCacheError(() => cache.clear({ prefix } as never), CacheConfigError, CONFIG);
      }
      await expectUntouched(cache);
    });

    it('accepts undefined and empty options in every method', async () => {
      const cache = await filled();
      await cache.set('a', 1, undefined);
      await cache.set('b', 2, {});
      expect(await cache.add('c', 3, {})).toBe(true);
      await cache.setMany([['d', 4]], {});
      expect(await cache.getOrSet('e', () => 5, {})).toBe(5);
      expect(await collect(cache.keys({}))).toEqual(['a', 'b', 'c', 'd', 'e', 'k', 'p:1']);
      await cache.clear({ prefix: 'p:' });
      expect(await collect(cache.keys(undefined))).toEqual(['a', 'b', 'c', 'd', 'e', 'k']);
      await cache.clear({});
      expect(await collect(cache.keys())).toEqual([]);
    });
  });
}
