import { ManualClock } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../src/index.js';

/** Reads key i about 2000 / (i + 1) times (a Zipf-like skew), interleaved. */
async function skewedReads(cache: MemoryCache, keys: number): Promise<void> {
  for (let i = 0; i < keys; i++) await cache.set(`k${i}`, i);
  for (let round = 1; round <= 2000; round++) {
    for (let i = 0; i < keys; i++) if (round <= 2000 / (i + 1)) cache.getSync(`k${i}`);
  }
}

describe('hottest(n)', () => {
  it('returns the hot set from the W-TinyLFU sketch', async () => {
    const cache = new MemoryCache({ maxEntries: 5_000 });
    await skewedReads(cache, 1_000);
    const hot = cache.hottest(10);
    expect(hot).toHaveLength(10);
    // The sketch's counters saturate at 15: the hottest keys are all among the 40 read most.
    const top = new Set(Array.from({ length: 40 }, (_, i) => `k${i}`));
    for (const key of hot) expect(top.has(key)).toBe(true);
    await cache.close();
  });

  it('ranks by reads since the write with other policies and trackReads, skips expired entries, and checks n', async () => {
    const clock = new ManualClock();
    const cache = new MemoryCache({ policy: 'lru', clock, trackReads: true });
    await skewedReads(cache, 50);
    expect(cache.hottest(5)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    await cache.set('k0', 0, { ttl: 1 });
    clock.advance(1);
    expect(cache.hottest(2)).toEqual(['k1', 'k2']);
    expect(cache.hottest(0)).toEqual([]);
    expect(() => cache.hottest(-1)).toThrow('hottest takes a count, got -1');
    await cache.close();
  });

  it('refuses, whatever the count, when a policy keeps no frequencies and reads are not tracked', async () => {
    const cache = new MemoryCache({ policy: 'lru' });
    await cache.set('a', 1);
    for (const n of [0, 1]) {
      expect(() => cache.hottest(n)).toThrow(
        expect.objectContaining({
          code: 'CACHE_CONFIG',
          message:
            "hottest() ranks by the 'tinylfu' policy's counts or by counted reads: policy 'lru' needs trackReads: true",
        }),
      );
    }
    await cache.close();
  });
});
