import { CacheConfigError, CacheErrorCode } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness } from '../internal/harness.js';

/** `close()`: idempotent, `Symbol.asyncDispose`, and every operation refused afterwards. */
export function closeContract(h: Harness): void {
  describe('close()', () => {
    it('can be called twice and refuses every operation afterwards with CacheConfigError', async () => {
      const { cache } = await h.make();
      await cache.set('a', 1);
      await cache.close();
      await cache.close();
      const code = CacheErrorCode.config;
      await expectCacheError(() => cache.get('a'), CacheConfigError, code);
      await expectCacheError(() => cache.getOrThrow('a'), CacheConfigError, code);
      await expectCacheError(() => cache.getEntry('a'), CacheConfigError, code);
      await expectCacheError(() => cache.set('a', 2), CacheConfigError, code);
      await expectCacheError(() => cache.add('b', 2), CacheConfigError, code);
      await expectCacheError(() => cache.has('a'), CacheConfigError, code);
      await expectCacheError(() => cache.delete('a'), CacheConfigError, code);
      await expectCacheError(() => cache.getMany(['a']), CacheConfigError, code);
      await expectCacheError(() => cache.setMany([['a', 2]]), CacheConfigError, code);
      await expectCacheError(() => cache.deleteMany(['a']), CacheConfigError, code);
      await expectCacheError(() => collect(cache.keys()), CacheConfigError, code);
      await expectCacheError(() => cache.clear(), CacheConfigError, code);
      await expectCacheError(() => cache.deleteMatching('*'), CacheConfigError, code);
      await expectCacheError(() => cache.invalidateTags(['t']), CacheConfigError, code);
      await expectCacheError(() => cache.getOrSet('a', () => 2), CacheConfigError, code);
    });

    it('closes through Symbol.asyncDispose', async () => {
      const { cache } = await h.make();
      await cache[Symbol.asyncDispose]();
      await expectCacheError(() => cache.get('a'), CacheConfigError, CacheErrorCode.config);
    });

    it('leaves the stats readable after close', async () => {
      const { cache } = await h.make();
      await cache.set('a', 1);
      await cache.close();
      expect(cache.stats.snapshot()).toMatchObject({ sets: 1 });
    });
  });
}
