import { MemoryCache } from '@cache/backend-memory';
import {
  CacheConfigError,
  CacheErrorCode,
  CacheFullError,
  CacheKeyError,
  CacheSerializationError,
  type EvictReason,
  jsonSerializer,
} from '@cache/core';
import { ManualClock } from '@cache/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { make } from './helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

function evictions(cache: MemoryCache<unknown>): { key: string; reason: EvictReason }[] {
  const seen: { key: string; reason: EvictReason }[] = [];
  cache.on('evict', (event) => seen.push(event));
  return seen;
}

describe('limits', () => {
  it('evicts the least recently used entry past maxEntries, with a capacity event', async () => {
    const cache = make<number>({ maxEntries: 3, policy: 'lru' });
    const seen = evictions(cache as MemoryCache<unknown>);
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    expect(await cache.get('a')).toBe(1);
    await cache.set('d', 4);
    expect(seen).toEqual([{ key: 'b', reason: 'capacity' }]);
    expect(cache.size).toBe(3);
    expect(await cache.has('b')).toBe(false);
    expect(cache.stats.snapshot()).toMatchObject({
      evictions: 1,
      evictionsByCause: { capacity: 1, size: 0, expired: 0 },
      entries: 3,
      policy: 'lru',
    });
  });

  it('evicts by bytes past maxBytes, with a size event, sized by the JSON of the value', async () => {
    const cache = make<string>({ maxBytes: 20, policy: 'lru' });
    const seen = evictions(cache as MemoryCache<unknown>);
    await cache.set('a', 'x'.repeat(8)); // "xxxxxxxx" = 10 bytes
    await cache.set('b', 'y'.repeat(8)); // 10 bytes: 20 in all, at the limit
    expect(cache.bytes).toBe(20);
    await cache.set('c', 'z'); // 3 bytes
    expect(seen).toEqual([{ key: 'a', reason: 'size' }]);
    expect(cache.bytes).toBe(13);
    expect(cache.stats.snapshot()).toMatchObject({
      bytes: 13,
      entries: 2,
      evictions: 1,
      evictionsByCause: { capacity: 0, size: 1, expired: 0 },
    });
  });

  it('sizes with sizeOf when given', async () => {
    const cache = make<string>({ maxBytes: 100, sizeOf: (value) => value.length * 10, policy: 'lru' });
    await cache.set('a', 'abc');
    expect((await cache.getEntry('a'))?.size).toBe(30);
    expect(cache.bytes).toBe(30);
    await cache.set('a', 'abcdefg');
    expect(cache.bytes).toBe(70);
  });

  it('refuses an entry larger than maxBytes with CacheFullError and evicts nothing', async () => {
    const cache = make<string>({ maxBytes: 10, policy: 'lru' });
    const seen = evictions(cache as MemoryCache<unknown>);
    await cache.set('a', 'old');
    const error = await cache.set('a', 'x'.repeat(20)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheFullError);
    expect((error as CacheFullError).code).toBe(CacheErrorCode.full);
    expect(await cache.get('a')).toBe('old');
    expect(seen).toEqual([]);
    expect(cache.stats.sets).toBe(1);
  });

  it('refuses an entry over maxEntryBytes even below maxBytes', async () => {
    const cache = make<string>({ maxBytes: '1KB', maxEntryBytes: 8 });
    expect(() => cache.setSync('k', 'x'.repeat(7))).toThrow(CacheFullError);
    cache.setSync('k', 'x'.repeat(6));
    expect((await cache.getEntry('k'))?.size).toBe(8);
  });

  it('treats a bad sizeOf result as a config error and changes nothing', async () => {
    const cache = make<string>({ maxBytes: 100, sizeOf: () => -1 });
    const error = await cache.set('k', 'v').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as CacheConfigError).code).toBe(CacheErrorCode.config);
    expect(cache.size).toBe(0);
  });

  it('refuses a value without a JSON size when bytes are limited', async () => {
    const cache = make<unknown>({ maxBytes: 100 });
    const error = await cache.set('k', 10n).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheSerializationError);
    expect((error as CacheSerializationError).code).toBe(CacheErrorCode.serialization);
  });

  it("with policy 'none', refuses new keys when full but accepts updates", async () => {
    const cache = make<number>({ maxEntries: 2, policy: 'none' });
    const seen = evictions(cache as MemoryCache<unknown>);
    await cache.set('a', 1);
    await cache.set('b', 2);
    const error = await cache.set('c', 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheFullError);
    expect((error as CacheFullError).code).toBe(CacheErrorCode.full);
    await cache.set('a', 10);
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([10, 2, undefined]);
    expect(seen).toEqual([]);
    expect(await cache.delete('b')).toBe(true);
    await cache.set('c', 3);
    expect(await cache.get('c')).toBe(3);
  });

  it("with policy 'none', refuses an update that would pass maxBytes and keeps the old value", async () => {
    const cache = make<string>({ maxBytes: 10, policy: 'none' });
    await cache.set('a', 'abc'); // 5 bytes
    await cache.set('b', 'xyz'); // 5 bytes
    expect(() => cache.setSync('a', 'abcd')).toThrow(CacheFullError); // 6 + 5 > 10
    expect(cache.getSync('a')).toBe('abc');
    cache.setSync('a', 'cba');
    expect(cache.bytes).toBe(10);
  });

  it("with policy 'none', makes room by removing expired entries first", async () => {
    const clock = new ManualClock();
    const cache = make<number>({ maxEntries: 2, policy: 'none', clock });
    await cache.set('a', 1, { ttl: 100 });
    await cache.set('b', 2);
    clock.advance(100);
    await cache.set('c', 3);
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, 2, 3]);
    expect(cache.stats.expirations).toBe(1);
  });

  it('reports an expired victim with the reason expired', async () => {
    const clock = new ManualClock();
    const cache = make<number>({ maxEntries: 1, policy: 'lru', clock });
    const seen = evictions(cache as MemoryCache<unknown>);
    await cache.set('a', 1, { ttl: 10 });
    clock.advance(10);
    await cache.set('b', 2);
    expect(seen).toEqual([{ key: 'a', reason: 'expired' }]);
    expect(cache.stats.snapshot()).toMatchObject({
      evictions: 1,
      evictionsByCause: { capacity: 0, size: 0, expired: 1 },
    });
    cache.stats.reset();
    expect(cache.stats.snapshot()).toMatchObject({
      evictions: 0,
      evictionsByCause: { capacity: 0, size: 0, expired: 0 },
    });
  });

  it('keeps every policy within maxEntries over many writes', async () => {
    for (const policy of ['tinylfu', 'lru', 'lfu', 'fifo', 'ttl', 'sieve', 's3fifo'] as const) {
      const cache = make<number>({ maxEntries: 50, policy });
      for (let i = 0; i < 1000; i++) {
        cache.setSync(`k${i % 137}`, i);
        cache.getSync(`k${(i * 7) % 137}`);
        expect(cache.size).toBeLessThanOrEqual(50);
      }
      expect(cache.size).toBe(50);
      let live = 0;
      for await (const _ of cache.keys()) live++;
      expect(live).toBe(50);
    }
  });
});

describe('expiry', () => {
  it('expires lazily on read, counting an expiration with an expire event', async () => {
    const clock = new ManualClock();
    const cache = make<number>({ clock });
    const expired: string[] = [];
    cache.on('expire', ({ key }) => expired.push(key));
    await cache.set('k', 1, { ttl: '1s' });
    clock.advance(999);
    expect(await cache.get('k')).toBe(1);
    clock.advance(1);
    expect(await cache.get('k')).toBeUndefined();
    expect(expired).toEqual(['k']);
    expect(cache.size).toBe(0);
    expect(cache.stats.snapshot()).toMatchObject({ hits: 1, misses: 1, expirations: 1 });
  });

  it('sweep() removes expired entries and leaves the others', async () => {
    const clock = new ManualClock();
    const cache = make<number>({ clock, defaultTtl: '1m' });
    for (let i = 0; i < 10; i++) cache.setSync(`short${i}`, i, { ttl: 100 });
    cache.setSync('long', 1);
    cache.setSync('forever', 2, { ttl: Number.POSITIVE_INFINITY });
    clock.advance(100);
    expect(cache.size).toBe(12);
    expect(cache.sweep()).toBe(10);
    expect(cache.size).toBe(2);
    expect(cache.stats.expirations).toBe(10);
    clock.advance(60_000);
    expect(cache.sweep()).toBe(1);
    expect(cache.peek('forever')).toBe(2);
  });

  it('sweeps on its unref()ed timer', async () => {
    vi.useFakeTimers();
    const clock = new ManualClock();
    const cache = make<number>({ clock, sweepInterval: '10s' });
    cache.setSync('k', 1, { ttl: '1s' });
    clock.advance(1000);
    expect(cache.size).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(cache.size).toBe(0);
    expect(cache.stats.expirations).toBe(1);
  });

  it('keeps an entry past its expiry until its stale window ends (getOrSet staleIfError)', async () => {
    const clock = new ManualClock();
    const cache = make<number>({ clock });
    await cache.getOrSet('k', () => 1, { ttl: 100, staleIfError: 1000 });
    clock.advance(500);
    expect(cache.sweep()).toBe(0);
    expect(await cache.get('k')).toBeUndefined();
    const value = await cache.getOrSet(
      'k',
      () => {
        throw new Error('down');
      },
      { ttl: 100, staleIfError: 1000 },
    );
    expect(value).toBe(1);
    clock.advance(600);
    expect(cache.sweep()).toBe(1);
  });
});

describe('getEntry metadata', () => {
  it('reports createdAt, expiresAt, hits, lastAccessAt and size', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const cache = make<{ n: number }>({ clock, trackReads: true });
    await cache.set('k', { n: 1 }, { ttl: 5000, tags: ['t'] });
    clock.advance(10);
    cache.getSync('k');
    clock.advance(10);
    const info = await cache.getEntry('k');
    expect(info).toEqual({
      key: 'k',
      value: { n: 1 },
      createdAt: 1_700_000_000_000,
      expiresAt: 1_700_000_005_000,
      tags: ['t'],
      hits: 2,
      lastAccessAt: 1_700_000_000_020,
      size: 7,
    });
  });

  it('keeps exact times far from the start and with fractional clocks', async () => {
    const clock = new ManualClock(1_000);
    const cache = make<number>({ clock, trackReads: true });
    cache.setSync('a', 1);
    clock.advance(60 * 86_400_000 + 0.5);
    cache.setSync('b', 2);
    expect((await cache.getEntry('a'))?.createdAt).toBe(1_000);
    expect(await cache.getEntry('b')).toMatchObject({ createdAt: 60 * 86_400_000 + 1_000.5, hits: 1 });
    expect((await cache.getEntry('a'))?.lastAccessAt).toBe(60 * 86_400_000 + 1_000.5);
  });

  it('restarts hits on overwrite', async () => {
    const cache = make<number>({ trackReads: true });
    cache.setSync('k', 1);
    cache.getSync('k');
    cache.getSync('k');
    cache.setSync('k', 2);
    expect((await cache.getEntry('k'))?.hits).toBe(1);
  });
});

describe('the synchronous API', () => {
  it('getSync/setSync/addSync/hasSync/deleteSync count like their async twins', () => {
    const cache = make<number>();
    const events: string[] = [];
    for (const name of ['hit', 'miss', 'set', 'delete'] as const)
      cache.on(name, ({ key }) => events.push(`${name}:${key}`));
    cache.setSync('a', 1);
    expect(cache.addSync('a', 2)).toBe(false);
    expect(cache.addSync('b', 2)).toBe(true);
    expect(cache.getSync('a')).toBe(1);
    expect(cache.getSync('x')).toBeUndefined();
    expect(cache.hasSync('b')).toBe(true);
    expect(cache.deleteSync('b')).toBe(true);
    expect(cache.deleteSync('b')).toBe(false);
    expect(events).toEqual(['set:a', 'set:b', 'hit:a', 'miss:x', 'delete:b']);
    expect(cache.stats.snapshot()).toMatchObject({ hits: 1, misses: 1, sets: 2, deletes: 1 });
  });

  it('peek reads without counting, touching recency or hits', async () => {
    const cache = make<number>({ maxEntries: 2, policy: 'lru', trackReads: true });
    cache.setSync('a', 1);
    cache.setSync('b', 2);
    expect(cache.peek('a')).toBe(1);
    expect(cache.peek('zz')).toBeUndefined();
    cache.setSync('c', 3); // 'a' is still the least recently used
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.stats.snapshot()).toMatchObject({ hits: 0, misses: 0 });
    expect((await cache.getEntry('b'))?.hits).toBe(1);
  });

  it('stores values by reference without a serializer', () => {
    const cache = make<{ n: number }>();
    const value = { n: 1 };
    cache.setSync('k', value);
    expect(cache.getSync('k')).toBe(value);
  });

  it('throws typed errors synchronously; the async methods reject with the same', async () => {
    const cache = make<number>();
    expect(() => cache.getSync('')).toThrow(CacheKeyError);
    expect(() => cache.setSync('k', undefined as unknown as number)).toThrow(CacheSerializationError);
    expect(() => cache.setSync('k', 1, { ttl: 0 })).toThrow(CacheConfigError);
    expect(() => cache.setSync('k', 1, { tags: [''] })).toThrow(CacheConfigError);
    expect(() => cache.setSync('x'.repeat(2000), 1)).toThrow(CacheKeyError);
    const error = await cache.get(42 as unknown as string).catch((e: unknown) => e);
    expect((error as CacheKeyError).code).toBe(CacheErrorCode.keyInvalid);
    expect(cache.size).toBe(0);
    await cache.close();
    expect(() => cache.getSync('k')).toThrow(CacheConfigError);
    await expect(cache.set('k', 1)).rejects.toMatchObject({ code: CacheErrorCode.config });
  });
});

describe('serializer mode', () => {
  it('stores bytes and returns a fresh copy on each read, sized by the bytes', async () => {
    const cache = make<{ n: number }>({ serializer: jsonSerializer });
    const value = { n: 1 };
    await cache.set('k', value);
    value.n = 2;
    const first = await cache.get('k');
    expect(first).toEqual({ n: 1 });
    expect(await cache.get('k')).not.toBe(first);
    expect((await cache.getEntry('k'))?.size).toBe(7);
    expect(cache.bytes).toBe(7);
  });

  it('refuses what the serializer refuses, leaving the old value', async () => {
    const cache = make<unknown>({ serializer: jsonSerializer });
    await cache.set('k', 1);
    const error = await cache.set('k', new (class Point {})()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheSerializationError);
    expect(await cache.get('k')).toBe(1);
  });

  it('sizes each value of a setMany once, with sizeOf', async () => {
    const sized: string[] = [];
    const cache = make<string>({
      maxBytes: 100,
      sizeOf: (v, key) => {
        sized.push(key);
        return v.length;
      },
    });
    cache.setSync('a', 'old');
    sized.length = 0;
    await cache.setMany([
      ['a', 'xy'],
      ['b', 'xyz'],
    ]);
    expect(sized).toEqual(['a', 'b']);
    expect((await cache.getEntry('b'))?.size).toBe(3);
    expect(cache.getSync('a')).toBe('xy');
  });

  it('encodes each value of a setMany once, and a refused value leaves every entry as it was', async () => {
    const encoded: unknown[] = [];
    const cache = make<unknown>({
      serializer: {
        id: 'counting',
        serialize: (v) => {
          encoded.push(v);
          return jsonSerializer.serialize(v);
        },
        deserialize: (b) => jsonSerializer.deserialize(b),
      },
    });
    await cache.setMany([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    expect(encoded).toEqual([1, 2, 3]);
    const error = await cache
      .setMany([
        ['a', 10],
        ['b', new (class Point {})()],
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheSerializationError);
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([1, 2, 3]);
  });

  it('turns bytes that cannot be decoded into a miss with an error event', async () => {
    let broken = false;
    const cache = make<number>({
      serializer: {
        id: 'flaky',
        serialize: (v) => jsonSerializer.serialize(v),
        deserialize: (b) => {
          if (broken) throw new Error('bad bytes');
          return jsonSerializer.deserialize(b);
        },
      },
    });
    const errors: unknown[] = [];
    cache.on('error', ({ error }) => errors.push(error));
    await cache.set('k', 1);
    broken = true;
    expect(await cache.get('k')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CacheSerializationError);
    expect(cache.size).toBe(0);
    expect(cache.stats.snapshot()).toMatchObject({ errors: 1, misses: 1, hits: 0 });
  });
});

describe('tags', () => {
  it('invalidates tagged entries at once, an entry set afterwards in the same millisecond survives', async () => {
    const clock = new ManualClock();
    const cache = make<number>({ clock });
    await cache.set('a', 1, { tags: ['x'] });
    await cache.set('b', 2, { tags: ['x', 'y'] });
    await cache.set('c', 3, { tags: ['y'] });
    await cache.invalidateTags(['x']);
    expect(cache.size).toBe(1);
    await cache.set('a', 4, { tags: ['x'] });
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([4, undefined, 3]);
  });

  it('keeps tag bookkeeping apart from user keys', async () => {
    const cache = make<number>();
    await cache.set('x', 1, { tags: ['x'] });
    await cache.set('tag:x', 2);
    await cache.invalidateTags(['tag:x']);
    expect(await cache.getMany(['x', 'tag:x'])).toEqual([1, 2]);
    const keys: string[] = [];
    for await (const key of cache.keys()) keys.push(key);
    expect(keys.sort()).toEqual(['tag:x', 'x']);
  });

  it('forgets the tags of an overwritten entry', async () => {
    const cache = make<number>();
    await cache.set('k', 1, { tags: ['old'] });
    await cache.set('k', 2);
    await cache.invalidateTags(['old']);
    expect(await cache.get('k')).toBe(2);
  });
});

describe('export and import', () => {
  it('round-trips live entries with their times and tags, skipping expired ones', async () => {
    const clock = new ManualClock();
    const from = make<number>({ clock });
    from.setSync('a', 1, { ttl: 1000, tags: ['t'] });
    from.setSync('b', 2);
    from.setSync('gone', 3, { ttl: 10 });
    clock.advance(10);
    const exported = [];
    for await (const entry of from.exportEntries()) exported.push(entry);
    expect(exported).toEqual([
      { key: 'a', value: 1, createdAt: 1_700_000_000_000, expiresAt: 1_700_000_001_000, tags: ['t'] },
      { key: 'b', value: 2, createdAt: 1_700_000_000_000, expiresAt: undefined, tags: [] },
    ]);
    const to = make<number>({ clock });
    expect(await to.importEntries(from.exportEntries())).toBe(2);
    expect(await to.getEntry('a')).toMatchObject({
      createdAt: 1_700_000_000_000,
      expiresAt: 1_700_000_001_000,
      tags: ['t'],
    });
    const stale = { key: 'old', value: 1, createdAt: 0, expiresAt: 5, tags: [] };
    expect(await to.importEntries([stale])).toBe(0);
    expect(to.stats.sets).toBe(2);
  });

  it('refuses a malformed entry with CacheConfigError', async () => {
    const cache = make<number>();
    const error = await cache
      .importEntries([{ key: 'k', value: 1, createdAt: Number.NaN, expiresAt: undefined, tags: [] }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheConfigError);
  });
});

describe('options', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['maxEntries 0', { maxEntries: 0 }],
    ['maxEntries 1.5', { maxEntries: 1.5 }],
    ['maxBytes negative', { maxBytes: -1 }],
    ['maxBytes unparsable', { maxBytes: 'lots' }],
    ['maxEntryBytes 0', { maxEntryBytes: 0 }],
    ['maxEntrySize 0', { maxEntrySize: 0 }],
    ['maxEntryBytes with its former name', { maxEntryBytes: 10, maxEntrySize: 10 }],
    ['sizeOf not a function', { sizeOf: 3 }],
    ['unknown policy', { policy: 'random' }],
    ['serializer without methods', { serializer: { id: 'x' } }],
    ['sweepInterval 0', { sweepInterval: 0 }],
    ['persist without path', { persist: {} }],
    ['persist.onClose not boolean', { persist: { path: '/tmp/x', onClose: 'yes' } }],
    ['persist.interval negative', { persist: { path: '/tmp/x', interval: -5 } }],
    ['unknown option', { maxEntry: 10 }],
    ['defaultTtl 0', { defaultTtl: 0 }],
  ];
  for (const [what, options] of bad) {
    it(`rejects ${what} with CacheConfigError`, () => {
      let error: unknown;
      try {
        new MemoryCache(options);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CacheConfigError);
      expect((error as CacheConfigError).code).toBe(CacheErrorCode.config);
    });
  }

  it('accepts byte sizes as strings', () => {
    const cache = make({ maxBytes: '2KB', maxEntryBytes: '100B' });
    expect(() => cache.setSync('k', 'x'.repeat(99))).toThrow(CacheFullError);
  });

  it('still takes maxEntrySize, the former name of maxEntryBytes', () => {
    const cache = make<string>({ maxBytes: '2KB', maxEntrySize: 8 });
    expect(() => cache.setSync('k', 'x'.repeat(7))).toThrow(CacheFullError);
    cache.setSync('k', 'x'.repeat(6));
    expect(cache.getSync('k')).toBe('xxxxxx');
  });
});
