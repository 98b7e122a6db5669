import { CacheConfigError, CacheErrorCode, CacheTimeoutError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness, sleep } from '../internal/harness.js';

/** A promise with its resolve function outside. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** `getOrSet`: compute on a miss, single-flight, factory errors unchanged, timeouts. */
export function getOrSetContract(h: Harness): void {
  describe('getOrSet', () => {
    it('computes on a miss with the key, stores the result, and serves it after', async () => {
      const { cache } = await h.make();
      const seen: unknown[] = [];
      const factory = (ctx: { key: string; staleValue: unknown; signal: AbortSignal }) => {
        seen.push([ctx.key, ctx.staleValue, ctx.signal instanceof AbortSignal, ctx.signal.aborted]);
        return { computed: seen.length };
      };
      expect(await cache.getOrSet('k:*', factory)).toEqual({ computed: 1 });
      expect(await cache.getOrSet('k:*', factory)).toEqual({ computed: 1 });
      expect(await cache.get('k:*')).toEqual({ computed: 1 });
      expect(seen).toEqual([['k:*', undefined, true, false]]);
      expect(cache.stats.snapshot()).toMatchObject({ hits: 2, misses: 1, sets: 1 });
    });

    it('awaits an async factory and applies ttl and tags', async () => {
      const { cache } = await h.make();
      const value = await cache.getOrSet('k', async () => 'async', { ttl: '30s', tags: ['t'] });
      expect(value).toBe('async');
      const entry = await cache.getEntry('k');
      expect(entry?.expiresAt).toBe((entry?.createdAt ?? Number.NaN) + 30_000);
      expect(entry?.tags).toEqual(['t']);
      await cache.invalidateTags(['t']);
      expect(await cache.has('k')).toBe(false);
    });

    it('runs the factory once for concurrent calls on one key (single-flight)', async () => {
      const { cache } = await h.make();
      const gate = deferred<string>();
      let calls = 0;
      const factory = () => {
        calls++;
        return gate.promise;
      };
      const pending = Array.from({ length: 20 }, () => cache.getOrSet('k', factory));
      await sleep(10);
      gate.resolve('once');
      expect(await Promise.all(pending)).toEqual(Array.from({ length: 20 }, () => 'once'));
      expect(calls).toBe(1);
      expect(await cache.get('k')).toBe('once');
      expect(cache.stats.sets).toBe(1);
    });

    it('runs one factory per key for concurrent calls on different keys', async () => {
      const { cache } = await h.make();
      const calls: string[] = [];
      const factory = async ({ key }: { key: string }) => {
        calls.push(key);
        await sleep(5);
        return key.toUpperCase();
      };
      const results = await Promise.all(['a', 'b', 'a', 'c', 'b'].map((key) => cache.getOrSet(key, factory)));
      expect(results).toEqual(['A', 'B', 'A', 'C', 'B']);
      expect(calls.sort()).toEqual(['a', 'b', 'c']);
    });

    it('passes a factory error to every waiting caller unchanged and caches nothing', async () => {
      const { cache } = await h.make();
      const failure = new Error('factory failed');
      let calls = 0;
      const failing = async () => {
        calls++;
        await sleep(5);
        throw failure;
      };
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => cache.getOrSet('k', failing)));
      expect(results.map((r) => (r.status === 'rejected' ? r.reason : 'fulfilled'))).toEqual(
        Array.from({ length: 5 }, () => failure),
      );
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBe(failure);
      expect(calls).toBe(1);
      expect(await cache.has('k')).toBe(false);
      expect(await collect(cache.keys())).toEqual([]);
      expect(await cache.getOrSet('k', () => 'recovered')).toBe('recovered');
      expect(cache.stats.sets).toBe(1);
    });

    it('passes a synchronous throw and a non-Error rejection unchanged', async () => {
      const { cache } = await h.make();
      const failure = new TypeError('sync');
      await expect(
        cache.getOrSet('a', () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      await expect(cache.getOrSet('b', () => Promise.reject('a string'))).rejects.toBe('a string');
      expect(await collect(cache.keys())).toEqual([]);
    });

    it('fails with CacheTimeoutError past its timeout, aborts the signal and caches nothing', async () => {
      const { cache } = await h.make();
      let signal: AbortSignal | undefined;
      const slow = async (ctx: { signal: AbortSignal }) => {
        signal = ctx.signal;
        await sleep(80);
        return 'late';
      };
      const error = await expectCacheError(
        () => cache.getOrSet('k', slow, { timeout: 20 }),
        CacheTimeoutError,
        CacheErrorCode.timeout,
      );
      expect(error.key).toBe('k');
      expect(signal?.aborted).toBe(true);
      await sleep(100);
      expect(await cache.has('k')).toBe(false);
      expect(await cache.getOrSet('k', () => 'fast', { timeout: '1s' })).toBe('fast');
    });

    it('takes lock: true on any backend', async () => {
      const { cache } = await h.make();
      let calls = 0;
      const factory = () => ++calls;
      const results = await Promise.all([
        cache.getOrSet('k', factory, { lock: true }),
        cache.getOrSet('k', factory, { lock: { lease: '5s', wait: '1s' } }),
      ]);
      expect(results).toEqual([1, 1]);
      expect(calls).toBe(1);
    });

    it('refuses bad options and a missing factory with CacheConfigError, running nothing', async () => {
      const { cache } = await h.make();
      let calls = 0;
      const factory = () => ++calls;
      const code = CacheErrorCode.config;
      for (const options of [
        { timeout: 0 },
        { timeout: 'soon' },
        { staleWhileRevalidate: -1 },
        { staleIfError: Number.NaN },
        { lock: { lease: 0 } },
      ]) {
        await expectCacheError(() => cache.getOrSet('k', factory, options), CacheConfigError, code);
      }
      await expectCacheError(() => cache.getOrSet('k', null as unknown as () => 1), CacheConfigError, code);
      await expectCacheError(
        () => cache.getOrSet('k', factory, null as unknown as object),
        CacheConfigError,
        code,
      );
      expect(calls).toBe(0);
      expect(await cache.has('k')).toBe(false);
    });
  });
}
