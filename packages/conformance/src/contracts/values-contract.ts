import { CacheErrorCode, CacheSerializationError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness } from '../internal/harness.js';
import { SAMPLE_VALUES } from '../internal/samples.js';

const SERIALIZATION = CacheErrorCode.serialization;

/** Values: round trips, `null` is a value, `undefined` is refused and leaves the previous value. */
export function valuesContract(h: Harness): void {
  describe('values', () => {
    for (const [label, value] of SAMPLE_VALUES) {
      it(`round-trips ${label} through set/get, getMany, getEntry, getOrThrow and getOrSet`, async () => {
        const { cache } = await h.make();
        await cache.set('k', value);
        expect(await cache.get('k')).toEqual(value);
        expect(await cache.getMany(['k'])).toEqual([value]);
        expect((await cache.getEntry('k'))?.value).toEqual(value);
        expect(await cache.getOrThrow('k')).toEqual(value);
        let calls = 0;
        expect(
          await cache.getOrSet('k', () => {
            calls++;
            return 'other';
          }),
        ).toEqual(value);
        expect(calls).toBe(0);
        expect(await cache.getOrSet('fresh', () => value)).toEqual(value);
        expect(await cache.get('fresh')).toEqual(value);
      });
    }

    it('treats null as a value, not a miss', async () => {
      const { cache } = await h.make();
      await cache.set('n', null);
      expect(await cache.get('n')).toBeNull();
      expect(await cache.has('n')).toBe(true);
      expect(await cache.getOrThrow('n')).toBeNull();
      expect(await cache.add('n', 'other')).toBe(false);
      expect(await cache.getOrSet('n', () => 'other')).toBeNull();
      expect(await cache.getMany(['n', 'missing'])).toEqual([null, undefined]);
      expect(cache.stats.snapshot()).toMatchObject({ hits: 4, misses: 1 });
    });

    it('replaces a value on a second set', async () => {
      const { cache } = await h.make();
      await cache.set('k', { v: 1 });
      await cache.set('k', { v: 2 });
      expect(await cache.get('k')).toEqual({ v: 2 });
      expect(await collect(cache.keys())).toEqual(['k']);
    });

    it('refuses undefined with CacheSerializationError and keeps the previous value', async () => {
      const { cache } = await h.make();
      await cache.set('k', 'before');
      await expectCacheError(() => cache.set('k', undefined), CacheSerializationError, SERIALIZATION);
      await expectCacheError(() => cache.add('new', undefined), CacheSerializationError, SERIALIZATION);
      await expectCacheError(
        () =>
          cache.setMany([
            ['k', 'after'],
            ['new', undefined],
          ]),
        CacheSerializationError,
        SERIALIZATION,
      );
      await expectCacheError(
        () => cache.getOrSet('new', () => undefined),
        CacheSerializationError,
        SERIALIZATION,
      );
      expect(await cache.get('k')).toBe('before');
      expect(await cache.has('new')).toBe(false);
      expect(await collect(cache.keys())).toEqual(['k']);
      expect(cache.stats.sets).toBe(1);
    });
  });
}
