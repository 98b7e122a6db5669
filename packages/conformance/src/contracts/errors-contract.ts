import {
  CacheConfigError,
  CacheConnectionError,
  CacheError,
  CacheErrorCode,
  CacheExpiredError,
  CacheFullError,
  CacheInvalidationError,
  CacheKeyError,
  CacheSerializationError,
  CacheTimeoutError,
} from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import type { Harness } from '../internal/harness.js';

/** Errors: classes and codes, `getOrThrow` on a miss, bad constructor options. */
export function errorsContract(h: Harness): void {
  describe('errors', () => {
    it('getOrThrow fails on a miss with CacheKeyError CACHE_KEY_MISSING naming the key', async () => {
      const { cache } = await h.make();
      const error = await expectCacheError(
        () => cache.getOrThrow('a:*'),
        CacheKeyError,
        CacheErrorCode.keyMissing,
      );
      expect(error).not.toBeInstanceOf(CacheExpiredError);
      expect(error.key).toBe('a:*');
      expect(cache.stats.snapshot()).toMatchObject({ hits: 0, misses: 1 });
    });

    it('uses one class and one code per kind of failure', () => {
      const cases: [CacheError, string, CacheErrorCode][] = [
        [new CacheError('x'), 'CacheError', 'CACHE_ERROR'],
        [new CacheKeyError('x'), 'CacheKeyError', 'CACHE_KEY_INVALID'],
        [new CacheExpiredError('x'), 'CacheExpiredError', 'CACHE_KEY_EXPIRED'],
        [new CacheFullError('x'), 'CacheFullError', 'CACHE_FULL'],
        [new CacheConnectionError('x'), 'CacheConnectionError', 'CACHE_CONNECTION'],
        [new CacheTimeoutError('x'), 'CacheTimeoutError', 'CACHE_TIMEOUT'],
        [new CacheSerializationError('x'), 'CacheSerializationError', 'CACHE_SERIALIZATION'],
        [new CacheInvalidationError('x'), 'CacheInvalidationError', 'CACHE_INVALIDATION'],
        [new CacheConfigError('x'), 'CacheConfigError', 'CACHE_CONFIG'],
      ];
      for (const [error, name, code] of cases) {
        expect(error).toBeInstanceOf(CacheError);
        expect(error).toBeInstanceOf(Error);
        expect([error.name, error.code]).toEqual([name, code]);
      }
      expect(new CacheExpiredError('x')).toBeInstanceOf(CacheKeyError);
      const cause = new Error('inner');
      expect(new CacheConnectionError('x', { cause, key: 'k' })).toMatchObject({ cause, key: 'k' });
    });

    it('refuses bad maxKeyBytes and defaultTtl with CacheConfigError when the cache is made', async () => {
      const code = CacheErrorCode.config;
      for (const maxKeyBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expectCacheError(() => h.createRaw({ maxKeyBytes }), CacheConfigError, code);
      }
      for (const defaultTtl of [0, -1, 'abc', '']) {
        await expectCacheError(() => h.createRaw({ defaultTtl }), CacheConfigError, code);
      }
    });
  });
}
