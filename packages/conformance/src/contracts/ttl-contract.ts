import { CacheConfigError, CacheErrorCode, CacheExpiredError, CacheKeyError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Fixture, type Harness } from '../internal/harness.js';

const UNITS: readonly (readonly [string, number])[] = [
  ['250ms', 250],
  ['10s', 10_000],
  ['5m', 300_000],
  ['2h', 7_200_000],
  ['1d', 86_400_000],
];

/** Short real TTLs when no clock can be injected; keep them few. */
// Long enough that a loaded machine still reads the entry before it expires; waits only get longer under load.
const REAL_TTL = 400;
const REAL_WAIT = 800;

/** Asserts that `key` is gone for every read path. */
async function expectGone(fx: Fixture, key: string): Promise<void> {
  expect(await fx.cache.get(key)).toBeUndefined();
  expect(await fx.cache.has(key)).toBe(false);
  expect(await fx.cache.getEntry(key)).toBeUndefined();
  expect(await fx.cache.getMany([key])).toEqual([undefined]);
  expect(await collect(fx.cache.keys())).not.toContain(key);
}

/** TTLs: parsing, defaultTtl, Infinity, refusal of bad TTLs, exact expiry. */
export function ttlContract(h: Harness): void {
  describe('ttl and expiry', () => {
    it('keeps an entry without ttl or defaultTtl forever (expiresAt undefined)', async () => {
      const fx = await h.make();
      await fx.cache.set('k', 1);
      await fx.cache.set('inf', 2, { ttl: Number.POSITIVE_INFINITY });
      expect((await fx.cache.getEntry('k'))?.expiresAt).toBeUndefined();
      expect((await fx.cache.getEntry('inf'))?.expiresAt).toBeUndefined();
      if (fx.clock) fx.clock.advance(10 * 365 * 86_400_000);
      expect(await fx.cache.getMany(['k', 'inf'])).toEqual([1, 2]);
    });

    it('turns duration strings and numbers into expiresAt = createdAt + ttl', async () => {
      const fx = await h.make();
      for (const [ttl, ms] of [...UNITS, [1234, 1234] as const]) {
        await fx.cache.set(`k${ttl}`, ttl, { ttl });
        const entry = await fx.cache.getEntry(`k${ttl}`);
        expect(entry?.expiresAt).toBe((entry?.createdAt ?? Number.NaN) + ms);
        if (fx.clock) expect(entry?.createdAt).toBe(fx.clock.now());
      }
    });

    if (h.hasClock) {
      it('returns an entry until just before expiresAt and never at or after it', async () => {
        const fx = await h.make();
        const clock = fx.clock!;
        for (const [ttl, ms] of UNITS) {
          await fx.cache.set('k', 'v', { ttl });
          clock.advance(ms - 1);
          expect(await fx.cache.get('k')).toBe('v');
          expect(await fx.cache.has('k')).toBe(true);
          expect(await collect(fx.cache.keys())).toEqual(['k']);
          clock.advance(1);
          await expectGone(fx, 'k');
        }
      });

      it('applies defaultTtl, which a ttl option overrides', async () => {
        const fx = await h.make({ defaultTtl: '1s' });
        const start = fx.clock!.now();
        await fx.cache.set('default', 1);
        await fx.cache.set('longer', 2, { ttl: '5s' });
        await fx.cache.set('never', 3, { ttl: Number.POSITIVE_INFINITY });
        await fx.cache.setMany([['many', 4]]);
        expect(await fx.cache.add('added', 5)).toBe(true);
        expect(await fx.cache.getOrSet('computed', () => 6)).toBe(6);
        expect((await fx.cache.getEntry('default'))?.expiresAt).toBe(start + 1000);
        expect((await fx.cache.getEntry('longer'))?.expiresAt).toBe(start + 5000);
        expect((await fx.cache.getEntry('never'))?.expiresAt).toBeUndefined();
        fx.clock!.advance(1000);
        expect(await collect(fx.cache.keys())).toEqual(['longer', 'never']);
        fx.clock!.advance(4000);
        expect(await collect(fx.cache.keys())).toEqual(['never']);
      });

      it('lets add, set and getOrSet write again once an entry has expired', async () => {
        const fx = await h.make();
        await fx.cache.set('a', 1, { ttl: 100 });
        await fx.cache.set('b', 1, { ttl: 100 });
        await fx.cache.set('c', 1, { ttl: 100 });
        fx.clock!.advance(100);
        expect(await fx.cache.add('a', 2)).toBe(true);
        await fx.cache.set('b', 2);
        expect(await fx.cache.getOrSet('c', () => 2)).toBe(2);
        expect(await fx.cache.getMany(['a', 'b', 'c'])).toEqual([2, 2, 2]);
      });

      it('does not count an expired entry in delete or deleteMany', async () => {
        const fx = await h.make();
        await fx.cache.setMany(
          [
            ['a', 1],
            ['b', 1],
          ],
          { ttl: 100 },
        );
        await fx.cache.set('c', 1);
        fx.clock!.advance(100);
        expect(await fx.cache.delete('a')).toBe(false);
        expect(await fx.cache.deleteMany(['b', 'c'])).toBe(1);
        expect(await collect(fx.cache.keys())).toEqual([]);
      });
    } else {
      it('expires an entry after a short real ttl', async () => {
        const fx = await h.make({ defaultTtl: REAL_TTL });
        const start = fx.now();
        await fx.cache.set('k', 'v', { ttl: REAL_TTL });
        await fx.cache.set('d', 'v');
        await fx.cache.set('keep', 'v', { ttl: '1h' });
        const before = await fx.cache.getMany(['k', 'd']);
        // Real time: on a machine slow enough that the TTL has passed already, they may be gone.
        if (fx.now() - start < REAL_TTL) expect(before).toEqual(['v', 'v']);
        await fx.pass(REAL_WAIT);
        await expectGone(fx, 'k');
        await expectGone(fx, 'd');
        expect(await fx.cache.add('k', 'again')).toBe(true);
        expect(await fx.cache.delete('d')).toBe(false);
        expect(await collect(fx.cache.keys())).toEqual(['k', 'keep']);
      });
    }

    it('makes getOrThrow fail with CACHE_KEY_EXPIRED or CACHE_KEY_MISSING after expiry, then CACHE_KEY_MISSING', async () => {
      const fx = await h.make();
      const ttl = fx.clock ? 1000 : REAL_TTL;
      const start = fx.now();
      await fx.cache.set('k', 'v', { ttl });
      const before = await fx.cache.getOrThrow('k').catch((error: unknown) => error);
      // Real time: on a machine slow enough that the TTL has passed already, it may be gone.
      if (fx.now() - start < ttl) expect(before).toBe('v');
      await fx.pass(fx.clock ? ttl : REAL_WAIT);
      let first: unknown;
      try {
        await fx.cache.getOrThrow('k');
      } catch (error) {
        first = error;
      }
      expect(first).toBeInstanceOf(CacheKeyError);
      const code = (first as CacheKeyError).code;
      expect([CacheErrorCode.keyExpired, CacheErrorCode.keyMissing]).toContain(code);
      if (code === CacheErrorCode.keyExpired) expect(first).toBeInstanceOf(CacheExpiredError);
      else expect(first).not.toBeInstanceOf(CacheExpiredError);
      expect((first as CacheKeyError).key).toBe('k');
      const second = await expectCacheError(
        () => fx.cache.getOrThrow('k'),
        CacheKeyError,
        CacheErrorCode.keyMissing,
      );
      expect(second.key).toBe('k');
    });

    it('refuses 0, negative, NaN and unparsable TTLs with CacheConfigError and keeps the previous value', async () => {
      const fx = await h.make();
      await fx.cache.set('k', 'before', { ttl: '1h' });
      const before = await fx.cache.getEntry('k');
      for (const ttl of [
        0,
        -1,
        -0.5,
        Number.NaN,
        Number.NEGATIVE_INFINITY,
        '',
        'abc',
        '-5s',
        '10 years',
        '0s',
        '5w',
      ]) {
        const code = CacheErrorCode.config;
        await expectCacheError(() => fx.cache.set('k', 'after', { ttl }), CacheConfigError, code);
        await expectCacheError(() => fx.cache.add('new', 'after', { ttl }), CacheConfigError, code);
        await expectCacheError(
          () =>
            fx.cache.setMany(
              [
                ['k', 'after'],
                ['new', 1],
              ],
              { ttl },
            ),
          CacheConfigError,
          code,
        );
        await expectCacheError(
          () => fx.cache.getOrSet('new', () => 'after', { ttl }),
          CacheConfigError,
          code,
        );
      }
      const after = await fx.cache.getEntry('k');
      expect([after?.value, after?.createdAt, after?.expiresAt]).toEqual([
        'before',
        before?.createdAt,
        before?.expiresAt,
      ]);
      expect(await collect(fx.cache.keys())).toEqual(['k']);
      expect(fx.cache.stats.sets).toBe(1);
    });

    it('refuses a bad defaultTtl when the cache is made', async () => {
      for (const defaultTtl of [0, -5, Number.NaN, 'soon']) {
        await expectCacheError(() => h.createRaw({ defaultTtl }), CacheConfigError, CacheErrorCode.config);
      }
    });
  });
}
