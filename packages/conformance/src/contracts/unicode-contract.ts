import { type Cache, CacheErrorCode, CacheKeyError } from '@cache/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness, sorted } from '../internal/harness.js';

const INVALID = CacheErrorCode.keyInvalid;

/**
 * One UTF-16 unit or code point: lone surrogates (high and low), U+FFFD (what UTF-8 encoders
 * turn them into), halves that may pair up, any BMP unit, and any code point.
 */
const unit = fc.oneof(
  fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFD', '\uD83D', '\uDE00', 'a', ':', '*'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

/** Keys drawn from the whole UTF-16 range, short so that they collide after a lossy encoding. */
const keyLists = fc.uniqueArray(fc.string({ unit, minLength: 1, maxLength: 6 }), {
  minLength: 1,
  maxLength: 8,
});

/** Runs of the property: modest, since it runs against Redis and files too. */
const MAX_RUNS = 40;

/** Checks that every use of an ill-formed string outside keys is refused, with no effect. */
async function refusedEverywhere(cache: Cache<unknown>, bad: string): Promise<void> {
  await expectCacheError(() => cache.set('ok', 1, { tags: [bad] }), CacheKeyError, INVALID);
  await expectCacheError(() => cache.add('ok', 1, { tags: ['t', bad] }), CacheKeyError, INVALID);
  await expectCacheError(() => cache.setMany([['ok', 1]], { tags: [bad] }), CacheKeyError, INVALID);
  await expectCacheError(() => cache.getOrSet('ok', () => 1, { tags: [bad] }), CacheKeyError, INVALID);
  await expectCacheError(() => cache.invalidateTags([bad]), CacheKeyError, INVALID);
  await expectCacheError(() => collect(cache.keys({ prefix: bad })), CacheKeyError, INVALID);
  await expectCacheError(() => cache.clear({ prefix: bad }), CacheKeyError, INVALID);
  await expectCacheError(() => cache.deleteMatching(bad), CacheKeyError, INVALID);
  await expectCacheError(() => cache.deleteMatching(`*${bad}*`), CacheKeyError, INVALID);
}

/**
 * Strings from the whole UTF-16 range: each well-formed key is its own entry on every backend;
 * strings with a lone surrogate are refused as keys, tags, prefixes and patterns alike
 * (`CacheKeyError`, `CACHE_KEY_INVALID`), since a UTF-8 store would merge them. And glob
 * matching is linear.
 */
export function unicodeContract(h: Harness): void {
  describe('strings from the whole UTF-16 range', () => {
    const runs = Math.min(h.propertyRuns, MAX_RUNS);

    it(`keeps well-formed keys distinct and refuses ill-formed ones, over ${runs} seeded key sets`, async () => {
      const { cache } = await h.make();
      await fc.assert(
        fc.asyncProperty(keyLists, async (keys) => {
          await cache.clear();
          const stored: string[] = [];
          for (const [i, key] of keys.entries()) {
            if (key.isWellFormed()) {
              await cache.set(key, i);
              stored.push(key);
            } else {
              await expectCacheError(() => cache.set(key, i), CacheKeyError, INVALID);
              await expectCacheError(() => cache.get(key), CacheKeyError, INVALID);
              await expectCacheError(() => cache.getMany([key]), CacheKeyError, INVALID);
              await expectCacheError(() => cache.getOrSet(key, () => i), CacheKeyError, INVALID);
              await refusedEverywhere(cache, key);
            }
          }
          expect(await cache.getMany(stored)).toEqual(stored.map((key) => keys.indexOf(key)));
          expect(await collect(cache.keys())).toEqual(sorted(stored));
        }),
        {
          numRuns: runs,
          seed: 0x5eed,
          examples: [
            [['user:\uD800', 'user:\uDC00', 'user:\uFFFD', 'user:\uD83D\uDE00', 'user:?']],
            [['\uDFFF\uD800', '\uD800\uDFFF', '\uFFFD\uFFFD', '\uFFFD']],
          ],
        },
      );
    }, 120_000);

    it("keeps 'user:\\uFFFD' and 'user:\\uD83D\\uDE00' apart and refuses lone surrogates, with no effect", async () => {
      const { cache } = await h.make();
      await cache.set('user:\uFFFD', 'replacement', { tags: ['t\uFFFD'] });
      await cache.set('user:\uD83D\uDE00', 'emoji');
      for (const bad of ['user:\uD800', 'user:\uDC00', 'user:\uDE00\uD83D', 'user:\uD83D']) {
        await expectCacheError(() => cache.set(bad, 'lost'), CacheKeyError, INVALID);
        await expectCacheError(() => cache.delete(bad), CacheKeyError, INVALID);
        await refusedEverywhere(cache, bad);
      }
      await refusedEverywhere(cache, 't\uD800');
      expect(await cache.getMany(['user:\uFFFD', 'user:\uD83D\uDE00'])).toEqual(['replacement', 'emoji']);
      expect(await collect(cache.keys({ prefix: 'user:\uD83D\uDE00' }))).toEqual(['user:\uD83D\uDE00']);
      expect(await cache.deleteMatching('user:?')).toBe(2);
      expect(await collect(cache.keys())).toEqual([]);
    });

    it("matches '*a*a*a*a*b' against keys of 200 'a's correctly (linear matching)", async () => {
      const { cache } = await h.make();
      const as = 'a'.repeat(200);
      const keys = [
        as,
        `${'a'.repeat(199)}b`,
        `b${'a'.repeat(199)}`,
        `${'a'.repeat(100)}b${'a'.repeat(99)}`,
        'aaab',
      ];
      await cache.setMany(keys.map((key) => [key, key] as const));
      expect(await cache.deleteMatching('*a*a*a*a*b')).toBe(1);
      expect(await cache.deleteMatching('*a*a*a*a*a*a*a*a*a*a*a*a*b*a')).toBe(1);
      expect(await cache.deleteMatching('*a?a*a*a*a*a*a*a*a*a*a*c')).toBe(0);
      expect(await cache.deleteMatching('*a*a*a*a*a?')).toBe(2);
      expect(await collect(cache.keys())).toEqual(['aaab']);
    });
  });
}
