import { ManualClock } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { type EvictedEntry, MemoryCache } from '../src/index.js';

describe('onEvict', () => {
  it.each(['lru', 'tinylfu', 'fifo', 'sieve'] as const)(
    'receives each live entry evicted for room with its value, expiry and tags (%s)',
    async (policy) => {
      const clock = new ManualClock();
      const evicted: EvictedEntry[] = [];
      const cache = new MemoryCache({
        clock,
        policy,
        maxEntries: 2,
        onEvict: (entry) => evicted.push(entry),
      });
      await cache.set('a', { n: 1 }, { ttl: 10_000, tags: ['t'] });
      await cache.set('b', 2);
      await cache.set('c', 3);
      await cache.set('d', 4);
      expect(evicted.length).toBe(2);
      const byKey = new Map(evicted.map((entry) => [entry.key, entry]));
      for (const entry of evicted) expect(await cache.has(entry.key)).toBe(false);
      const a = byKey.get('a');
      if (a)
        expect(a).toEqual({
          key: 'a',
          value: { n: 1 },
          createdAt: clock.now(),
          expiresAt: clock.now() + 10_000,
          tags: ['t'],
          reason: 'capacity',
        });
      expect(evicted.every((entry) => entry.reason === 'capacity')).toBe(true);
      await cache.close();
    },
  );

  it('reports evictions for bytes as size, decodes serialized values, and never reports expired entries', async () => {
    const clock = new ManualClock();
    const evicted: EvictedEntry[] = [];
    const cache = new MemoryCache({
      clock,
      policy: 'lru',
      maxBytes: 20,
      sizeOf: () => 10,
      onEvict: (entry) => evicted.push(entry),
    });
    await cache.set('old', 'x', { ttl: 1_000 });
    await cache.set('live', new Date(0));
    clock.advance(1_000);
    await cache.set('n1', 1);
    await cache.set('n2', 2);
    expect(evicted.map((entry) => [entry.key, entry.value, entry.reason])).toEqual([
      ['live', new Date(0), 'size'],
    ]);
    expect(() => new MemoryCache({ onEvict: 'no' as never })).toThrow(/onEvict must be a function/);
    await cache.close();
  });
});
