import { MemoryCache } from '@cache/backend-memory';
import { type CacheError, ManualClock } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { refreshAhead } from '../src/refresh-ahead.js';

/** A loader whose calls wait until the test releases them. */
function gatedLoader(values: (key: string, n: number) => unknown) {
  const calls: string[] = [];
  const gates: (() => void)[] = [];
  const load = async (key: string) => {
    calls.push(key);
    await new Promise<void>((resolve) => gates.push(resolve));
    return values(key, calls.length);
  };
  const release = async () => {
    for (const gate of gates.splice(0)) gate();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { calls, load, release };
}

describe('refreshAhead', () => {
  it('loads on a miss once for concurrent readers, serves the value, and reloads it in the background after refreshAfter', async () => {
    const clock = new ManualClock();
    const loader = gatedLoader((key, n) => `${key}#${n}`);
    const cache = refreshAhead(new MemoryCache({ clock }), {
      load: loader.load,
      ttl: '5m',
      refreshAfter: '4m',
      clock,
    });
    const first = Promise.all(Array.from({ length: 100 }, () => cache.get('k')));
    await new Promise((resolve) => setImmediate(resolve));
    await loader.release();
    expect(new Set(await first)).toEqual(new Set(['k#1']));
    expect(loader.calls).toEqual(['k']);
    clock.advance(3 * 60_000);
    expect(await cache.get('k')).toBe('k#1');
    expect(loader.calls).toHaveLength(1);
    clock.advance(60_000);
    // 100 concurrent reads of an old entry: all served at once, one reload.
    expect(new Set(await Promise.all(Array.from({ length: 100 }, () => cache.get('k'))))).toEqual(
      new Set(['k#1']),
    );
    expect(loader.calls).toEqual(['k', 'k']);
    await loader.release();
    expect(await cache.get('k')).toBe('k#2');
    expect(cache.counters).toEqual({ loads: 1, refreshes: 1, superseded: 0, failures: 0 });
    await cache.close();
  });

  it('keeps the value and emits error when a reload fails', async () => {
    const clock = new ManualClock();
    let fail = false;
    const cache = refreshAhead(new MemoryCache({ clock }), {
      load: async () => {
        if (fail) throw new Error('database down');
        return 'v1';
      },
      ttl: 1_000,
      refreshAfter: 500,
      clock,
    });
    const errors: CacheError[] = [];
    cache.on('error', ({ error }) => errors.push(error));
    expect(await cache.get('k')).toBe('v1');
    fail = true;
    clock.advance(600);
    expect(await cache.get('k')).toBe('v1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['CACHE_ERROR', 'refresh failed: database down'],
    ]);
    expect(await cache.get('k')).toBe('v1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.counters.failures).toBe(2);
    await cache.close();
  });

  it('drops the reload when a write lands first', async () => {
    const clock = new ManualClock();
    const loader = gatedLoader(() => 'reloaded');
    const inner = new MemoryCache({ clock });
    const cache = refreshAhead(inner, { load: loader.load, ttl: 1_000, refreshAfter: 500, clock });
    await cache.set('k', 'old', { ttl: 1_000 });
    clock.advance(600);
    expect(await cache.get('k')).toBe('old');
    expect(loader.calls).toEqual(['k']);
    await cache.set('k', 'written');
    await loader.release();
    expect(await inner.get('k')).toBe('written');
    expect(cache.counters.superseded).toBe(1);
    await cache.close();
  });

  it('with beta, reloads early with a probability that grows near expiry (XFetch)', async () => {
    const clock = new ManualClock();
    let u = 0.5;
    const cache = refreshAhead(new MemoryCache({ clock }), {
      load: async () => {
        clock.advance(100); // a load costs 100 ms
        return 'v';
      },
      ttl: 10_000,
      refreshAfter: 9_999,
      beta: 1,
      clock,
      random: () => u,
    });
    await cache.get('k');
    const written = clock.now();
    // now - 100 * ln(0.5) = now + 69: not yet 69 ms before expiry.
    clock.set(written + 10_000 - 100);
    await cache.get('k');
    expect(cache.counters.refreshes).toBe(0);
    u = 0.3; // now + 120 >= expiry: reload early
    await cache.get('k');
    expect(cache.counters.refreshes).toBe(1);
    await cache.close();
  });

  it('refreshes the hottest keys proactively, from MemoryCache.hottest', async () => {
    const clock = new ManualClock();
    let version = 0;
    const inner = new MemoryCache({ clock, policy: 'lru', trackReads: true });
    const cache = refreshAhead(inner, {
      load: async (key) => `${key}@${version}`,
      ttl: 1_000,
      refreshAfter: 500,
      clock,
    });
    for (const key of ['hot', 'warm', 'cold']) await cache.get(key);
    for (let i = 0; i < 10; i++) inner.getSync('hot');
    for (let i = 0; i < 5; i++) inner.getSync('warm');
    version = 1;
    clock.advance(600);
    await cache.refreshHottest(2);
    expect(await inner.get('hot')).toBe('hot@1');
    expect(await inner.get('warm')).toBe('warm@1');
    expect(await inner.get('cold')).toBe('cold@0');
    await cache.close();
  });

  it('counts reads itself when the MemoryCache has nothing to rank by (lru without trackReads)', async () => {
    const clock = new ManualClock();
    let version = 0;
    const inner = new MemoryCache({ clock, policy: 'lru' });
    const cache = refreshAhead(inner, {
      load: async (key) => `${key}@${version}`,
      ttl: 1_000,
      refreshAfter: 500,
      hot: { count: 1, every: '1h' },
      clock,
    });
    for (const key of ['hot', 'cold', 'hot', 'hot']) await cache.get(key);
    version = 1;
    clock.advance(600);
    await cache.refreshHottest(1);
    expect(await inner.get('hot')).toBe('hot@1');
    expect(await inner.get('cold')).toBe('cold@0');
    await cache.close();
  });

  it('refuses bad options', () => {
    const inner = new MemoryCache();
    expect(() => refreshAhead(inner, { load: async () => 1, ttl: '1m', refreshAfter: '2m' })).toThrow(
      'refreshAfter must be shorter than ttl',
    );
    expect(() => refreshAhead(inner, { ttl: '1m', refreshAfter: '30s' } as never)).toThrow(
      'refreshAhead needs a load(key) function',
    );
    expect(() =>
      refreshAhead(inner, { load: async () => 1, ttl: '1m', refreshAfter: '30s', beta: -1 }),
    ).toThrow('beta must be a positive number');
  });
});
