/**
 * The write and read fast paths of MemoryCache: evict-before-insert with slot reuse (LRU, FIFO),
 * the untagged TTL path of setSync, and reads while no entry has a TTL.
 */
import { CacheConfigError, CacheErrorCode, CacheKeyError, type EvictReason } from '@cache/core';
import { collectSorted, ManualClock } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { make } from './helpers.js';

describe('evict before insert (lru, fifo)', () => {
  for (const policy of ['lru', 'fifo'] as const) {
    it(`${policy}: a new key in a full cache takes the victim's slot with none of its metadata`, async () => {
      const clock = new ManualClock(5_000);
      const cache = make<number>({ maxEntries: 2, policy, clock, trackReads: true });
      await cache.set('a', 1, { ttl: 1_000, tags: ['t'] });
      await cache.set('b', 2);
      cache.getSync('a');
      cache.getSync('a');
      clock.advance(7);
      const events: string[] = [];
      cache.on('evict', ({ key, reason }) => events.push(`evict ${key} ${reason}`));
      cache.on('set', ({ key }) => events.push(`set ${key}`));
      await cache.set('c', 3);
      const victim = policy === 'lru' ? 'b' : 'a';
      expect(events).toEqual([`evict ${victim} capacity`, 'set c']);
      expect(await collectSorted(cache.keys())).toEqual(['a', 'b', 'c'].filter((k) => k !== victim));
      expect(await cache.getEntry('c')).toEqual({
        key: 'c',
        value: 3,
        createdAt: 5_007,
        expiresAt: undefined,
        tags: [],
        hits: 1,
        lastAccessAt: 5_007,
        size: 1,
      });
      // The victim's tag and TTL did not stay with its slot.
      await cache.invalidateTags(['t']);
      clock.advance(10_000);
      expect(cache.getSync('c')).toBe(3);
      expect(cache.stats.snapshot()).toMatchObject({
        evictions: 1,
        entries: policy === 'lru' ? 1 : 2,
        expirations: 0,
      });
    });
  }

  it('reports an expired victim as expired and a byte victim after it as size', async () => {
    const clock = new ManualClock();
    const cache = make<string>({ maxEntries: 3, maxBytes: 20, policy: 'lru', clock });
    const seen: { key: string; reason: EvictReason }[] = [];
    cache.on('evict', (event) => seen.push(event));
    cache.setSync('a', 'x', { ttl: 5 });
    cache.setSync('b', 'xx');
    cache.setSync('c', 'xxx');
    clock.advance(5);
    cache.setSync('d', 'x'.repeat(12));
    expect(seen).toEqual([
      { key: 'a', reason: 'expired' },
      { key: 'b', reason: 'size' },
    ]);
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(19);
  });

  it('stays consistent when an evict listener writes to the cache', async () => {
    const cache = make<number>({ maxEntries: 3, policy: 'lru' });
    for (const key of ['a', 'b', 'c']) cache.setSync(key, 0);
    let nested = 0;
    cache.on('evict', () => {
      nested++;
      if (nested === 1) {
        cache.setSync('d', 10); // the key being written by the outer set
        cache.setSync('e', 20);
      }
    });
    cache.setSync('d', 1);
    expect(cache.size).toBe(3);
    expect(cache.getSync('d')).toBe(10);
    expect(cache.getSync('e')).toBe(20);
    const all = await collectSorted(cache.keys());
    expect(all).toHaveLength(3);
    for (const key of all) expect(cache.hasSync(key)).toBe(true);
    // Every slot is still usable: fill and drain the cache.
    for (let i = 0; i < 10; i++) cache.setSync(`k${i}`, i);
    expect(await collectSorted(cache.keys())).toEqual(['k7', 'k8', 'k9']);
    for (const key of ['k7', 'k8', 'k9']) expect(cache.deleteSync(key)).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('keeps exact createdAt in a reused slot once times no longer fit an offset', async () => {
    const clock = new ManualClock(1_000);
    const cache = make<number>({ maxEntries: 1, policy: 'lru', clock, trackReads: true });
    cache.setSync('a', 1);
    cache.getSync('a');
    clock.advance(60 * 86_400_000);
    cache.setSync('b', 2);
    expect(await cache.getEntry('b')).toMatchObject({
      createdAt: 60 * 86_400_000 + 1_000,
      lastAccessAt: 60 * 86_400_000 + 1_000,
      hits: 1,
    });
  });
});

describe('setSync with a ttl option and no tags', () => {
  it('reads the clock for exact times and remembers a ttl string without changing its meaning', async () => {
    const clock = new ManualClock(1_000);
    const cache = make<number>({ clock, defaultTtl: '1h' });
    cache.setSync('a', 1, { ttl: '1s' });
    clock.advance(3);
    cache.setSync('b', 2, { ttl: '1s' });
    cache.setSync('c', 3, { ttl: '2s' });
    cache.setSync('d', 4, { ttl: 50 });
    cache.setSync('e', 5, { ttl: Number.POSITIVE_INFINITY });
    cache.setSync('f', 6, {});
    const expiries: Record<string, number | undefined> = {};
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) expiries[key] = (await cache.getEntry(key))?.expiresAt;
    expect(expiries).toEqual({ a: 2_000, b: 2_003, c: 3_003, d: 1_053, e: undefined, f: 3_601_003 });
    expect((await cache.getEntry('b'))?.createdAt).toBe(1_003);
  });

  it('refuses a bad ttl with CacheConfigError and stores nothing, also after a good one', () => {
    const cache = make<number>();
    cache.setSync('a', 1, { ttl: '5m' });
    for (const ttl of ['soon', -1, 0, Number.NaN] as const) {
      try {
        cache.setSync('b', 2, { ttl });
        expect.unreachable(`ttl ${String(ttl)} was accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(CacheConfigError);
        expect((error as CacheConfigError).code).toBe(CacheErrorCode.config);
      }
    }
    expect(cache.hasSync('b')).toBe(false);
    cache.setSync('c', 3, { ttl: '5m' });
    expect(cache.size).toBe(2);
  });
});

describe('reads while no entry has a TTL', () => {
  it('expires again as soon as one entry has a TTL, and stops when the last one is gone', async () => {
    const clock = new ManualClock(0);
    const cache = make<number>({ clock, policy: 'lru' });
    cache.setSync('plain', 1);
    cache.setSync('short', 2, { ttl: 10 });
    cache.setSync('long', 3, { ttl: 1_000 });
    clock.advance(10);
    expect(cache.getSync('short')).toBeUndefined();
    expect(cache.hasSync('long')).toBe(true);
    cache.setSync('long', 4); // overwritten without a TTL: never expires
    clock.advance(10_000);
    expect(cache.getSync('long')).toBe(4);
    expect(cache.getSync('plain')).toBe(1);
    expect(cache.stats.snapshot()).toMatchObject({ expirations: 1, hits: 2, misses: 1 });
    cache.setSync('again', 5, { ttl: 1 });
    clock.advance(1);
    expect(cache.hasSync('again')).toBe(false);
    expect(cache.size).toBe(2);
  });
});

describe('reads check the key on the miss path only', () => {
  it('still refuses bad keys on every read method, and answers nothing once closed', async () => {
    const cache = make<number>({ maxKeyBytes: 8 });
    cache.setSync('a', 1);
    for (const key of ['', 'x'.repeat(9), 'ééééé', 42, undefined, null] as unknown as string[]) {
      for (const read of [
        () => cache.getSync(key),
        () => cache.hasSync(key),
        () => cache.peek(key),
        () => cache.deleteSync(key),
      ]) {
        try {
          read();
          expect.unreachable(`key ${String(key)} was accepted`);
        } catch (error) {
          expect(error).toBeInstanceOf(CacheKeyError);
          expect((error as CacheKeyError).code).toBe(CacheErrorCode.keyInvalid);
        }
      }
      await expect(cache.get(key)).rejects.toMatchObject({ code: CacheErrorCode.keyInvalid });
      await expect(cache.has(key)).rejects.toMatchObject({ code: CacheErrorCode.keyInvalid });
    }
    expect(cache.stats.snapshot()).toMatchObject({ hits: 0, misses: 0 });
    await cache.close();
    for (const read of [() => cache.getSync('a'), () => cache.hasSync('a'), () => cache.peek('a')]) {
      expect(read).toThrow(CacheConfigError);
    }
    await expect(cache.get('a')).rejects.toMatchObject({ code: CacheErrorCode.config });
  });
});
