import { type Cache, CacheErrorCode, CacheSerializationError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness } from '../internal/harness.js';
import { REFUSED_VALUES, TYPED_VALUES } from '../internal/samples.js';

const SERIALIZATION = CacheErrorCode.serialization;

/**
 * One value model: what core's typed JSON (the default serializer of every backend that stores
 * bytes) carries round-trips with its exact types, and what it cannot carry is refused with
 * `CacheSerializationError`, leaving the previous value in place. A cache that keeps values by
 * reference (memory without a serializer) refuses none of those: it gives back the very same
 * value, which no serializer can do. Skipped when `capabilities.typedValues` is false.
 */
export function typedValuesContract(h: Harness): void {
  if (h.options.capabilities?.typedValues === false) return;
  describe('typed values (the default serializer)', () => {
    for (const [label, make] of TYPED_VALUES) {
      it(`round-trips ${label} with its exact types through set/get, getMany, getEntry and getOrSet`, async () => {
        const { cache } = await h.make();
        await cache.set('k', make());
        expect(await cache.get('k')).toStrictEqual(make());
        expect(await cache.getMany(['k', 'missing'])).toStrictEqual([make(), undefined]);
        expect((await cache.getEntry('k'))?.value).toStrictEqual(make());
        expect(await cache.getOrThrow('k')).toStrictEqual(make());
        expect(await cache.getOrSet('fresh', make)).toStrictEqual(make());
        expect(await cache.get('fresh')).toStrictEqual(make());
        await cache.setMany([['many', make()]]);
        expect(await cache.get('many')).toStrictEqual(make());
      });
    }

    it('keeps -0, NaN, ±Infinity, Buffer apart from Uint8Array, and undefined as an own key', async () => {
      const { cache } = await h.make();
      const value = {
        zero: -0,
        numbers: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0],
        buffer: Buffer.from([1, 2]),
        bytes: new Uint8Array([1, 2]),
        missing: undefined,
      };
      await cache.set('k', value);
      const back = (await cache.get('k')) as typeof value;
      expect(Object.is(back.zero, -0)).toBe(true);
      expect(back.numbers.map((n) => Object.is(n, -0))).toEqual([false, false, false, true, false]);
      expect(Number.isNaN(back.numbers[0])).toBe(true);
      expect(Buffer.isBuffer(back.buffer)).toBe(true);
      expect(Buffer.isBuffer(back.bytes)).toBe(false);
      expect(back.bytes).toBeInstanceOf(Uint8Array);
      expect(Object.keys(back)).toEqual(['zero', 'numbers', 'buffer', 'bytes', 'missing']);
    });

    for (const [label, make] of REFUSED_VALUES) {
      it(`refuses ${label} with CacheSerializationError and keeps the previous value, or keeps it by reference`, async () => {
        const { cache } = await h.make();
        await cache.set('k', 'before');
        const value = make();
        const refused = await refusesOrKeeps(cache, 'k', value, () => cache.set('k', value));
        if (!refused) return;
        expect(await cache.get('k')).toBe('before');
        await expectCacheError(() => cache.add('new', value), CacheSerializationError, SERIALIZATION);
        await expectCacheError(() => cache.setMany([['k', value]]), CacheSerializationError, SERIALIZATION);
        await expectCacheError(
          () => cache.getOrSet('new', () => value),
          CacheSerializationError,
          SERIALIZATION,
        );
        expect(await cache.get('k')).toBe('before');
        expect(await cache.has('new')).toBe(false);
        expect(await collect(cache.keys())).toEqual(['k']);
        expect(cache.stats.sets).toBe(1);
      });
    }

    it('refuses a value whose refused part is nested deep inside typed ones, and keeps the previous value', async () => {
      const { cache } = await h.make();
      await cache.set('k', { before: new Date(1) });
      const value = { ok: new Date(2), deep: [new Map([['m', new Set([{ fn: () => 1 }])]])] };
      if (!(await refusesOrKeeps(cache, 'k', value, () => cache.set('k', value)))) return;
      expect(await cache.get('k')).toStrictEqual({ before: new Date(1) });
    });
  });
}

/**
 * Runs a write of `value` under `key`: `true` when it was refused with `CacheSerializationError`
 * (`CACHE_SERIALIZATION`); `false` when it was accepted, in which case the cache must give back
 * the very same value (kept by reference: no serializer gives back a function or the same object).
 */
async function refusesOrKeeps(
  cache: Cache<unknown>,
  key: string,
  value: unknown,
  write: () => Promise<unknown>,
): Promise<boolean> {
  let failure: unknown;
  try {
    await write();
  } catch (error) {
    failure = error ?? new Error('rejected with nothing');
  }
  if (failure !== undefined) {
    expect(failure).toBeInstanceOf(CacheSerializationError);
    expect((failure as CacheSerializationError).code).toBe(SERIALIZATION);
    return true;
  }
  expect(await cache.get(key), 'accepted a value typed JSON refuses: it must come back by reference').toBe(
    value,
  );
  return false;
}
