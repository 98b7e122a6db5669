import { CacheKeyError, CacheErrorCode } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness, sorted } from '../internal/harness.js';
import { AWKWARD_KEYS } from '../internal/samples.js';

const INVALID = CacheErrorCode.keyInvalid;

/** Keys: any character, each key its own entry, the byte limit, bad keys refused. */
export function keysContract(h: Harness): void {
  describe('keys', () => {
    it('stores every awkward key under its own name', async () => {
      const { cache } = await h.make();
      await cache.setMany(AWKWARD_KEYS.map((key, i) => [key, `value-${i}`] as const));
      expect(await cache.getMany(AWKWARD_KEYS)).toEqual(AWKWARD_KEYS.map((_, i) => `value-${i}`));
      for (const [i, key] of AWKWARD_KEYS.entries()) {
        expect(await cache.get(key)).toBe(`value-${i}`);
        expect(await cache.has(key)).toBe(true);
      }
      expect(await collect(cache.keys())).toEqual(sorted(AWKWARD_KEYS));
    });

    it('deletes an awkward key without touching its look-alikes', async () => {
      const { cache } = await h.make();
      await cache.setMany(AWKWARD_KEYS.map((key) => [key, key] as const));
      for (const key of ['*', '..', 'a*', '[', 'e\u0301', 'plain', '\0'])
        expect(await cache.delete(key)).toBe(true);
      const left = AWKWARD_KEYS.filter(
        (key) => !['*', '..', 'a*', '[', 'e\u0301', 'plain', '\0'].includes(key),
      );
      expect(await collect(cache.keys())).toEqual(sorted(left));
      expect(await cache.get('é')).toBe('é');
      expect(await cache.get('PLAIN')).toBe('PLAIN');
      expect(await cache.get('../..')).toBe('../..');
      expect(await cache.get('nul\0byte')).toBe('nul\0byte');
    });

    it('accepts a key of exactly maxKeyBytes UTF-8 bytes and refuses one byte more', async () => {
      const { cache } = await h.make({ maxKeyBytes: 16 });
      const fits = ['a'.repeat(16), '😀'.repeat(4), 'é'.repeat(8), `${'中'.repeat(5)}a`];
      const over = ['a'.repeat(17), `${'😀'.repeat(4)}a`, `${'é'.repeat(8)}a`, '中'.repeat(6)];
      for (const key of fits) {
        await cache.set(key, key);
        expect(await cache.get(key)).toBe(key);
      }
      for (const key of over) {
        await expectCacheError(() => cache.set(key, 1), CacheKeyError, INVALID);
        await expectCacheError(() => cache.get(key), CacheKeyError, INVALID);
        await expectCacheError(() => cache.add(key, 1), CacheKeyError, INVALID);
        await expectCacheError(() => cache.getOrSet(key, () => 1), CacheKeyError, INVALID);
      }
      expect(await collect(cache.keys())).toEqual(sorted(fits));
      expect(cache.stats.sets).toBe(4);
    });

    it('defaults maxKeyBytes to 1024', async () => {
      const { cache } = await h.make();
      await cache.set('k'.repeat(1024), 1);
      expect(await cache.get('k'.repeat(1024))).toBe(1);
      await expectCacheError(() => cache.set('k'.repeat(1025), 1), CacheKeyError, INVALID);
      await expectCacheError(() => cache.set('é'.repeat(513), 1), CacheKeyError, INVALID);
      expect(await collect(cache.keys())).toEqual(['k'.repeat(1024)]);
    });

    it('refuses empty and non-string keys in every keyed method, with no effect', async () => {
      const { cache } = await h.make();
      await cache.set('kept', 'before');
      const bad: unknown[] = ['', 5, null, undefined, {}, ['kept'], Symbol('k')];
      for (const key of bad) {
        const k = key as string;
        await expectCacheError(() => cache.get(k), CacheKeyError, INVALID);
        await expectCacheError(() => cache.getOrThrow(k), CacheKeyError, INVALID);
        await expectCacheError(() => cache.getEntry(k), CacheKeyError, INVALID);
        await expectCacheError(() => cache.set(k, 'after'), CacheKeyError, INVALID);
        await expectCacheError(() => cache.add(k, 'after'), CacheKeyError, INVALID);
        await expectCacheError(() => cache.has(k), CacheKeyError, INVALID);
        await expectCacheError(() => cache.delete(k), CacheKeyError, INVALID);
        await expectCacheError(() => cache.getMany(['kept', k]), CacheKeyError, INVALID);
        await expectCacheError(
          () =>
            cache.setMany([
              ['kept', 'after'],
              [k, 'after'],
            ]),
          CacheKeyError,
          INVALID,
        );
        await expectCacheError(() => cache.deleteMany(['kept', k]), CacheKeyError, INVALID);
        await expectCacheError(() => cache.getOrSet(k, () => 'after'), CacheKeyError, INVALID);
      }
      expect(await cache.get('kept')).toBe('before');
      expect(await collect(cache.keys())).toEqual(['kept']);
      expect(cache.stats.snapshot()).toMatchObject({ sets: 1, deletes: 0, hits: 1, misses: 0 });
    });

    it('refuses a key list that is not an array', async () => {
      const { cache } = await h.make();
      await expectCacheError(() => cache.getMany('ab' as unknown as string[]), CacheKeyError, INVALID);
      await expectCacheError(() => cache.deleteMany('ab' as unknown as string[]), CacheKeyError, INVALID);
    });
  });
}
