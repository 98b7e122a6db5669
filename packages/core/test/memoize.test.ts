import { ManualClock, MapCache } from '@cache/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { CacheConfigError, memoize } from '../src/index.js';

describe('memoize', () => {
  it('caches results by arguments, for sync and async functions', async () => {
    const cache = new MapCache<number>();
    const square = vi.fn((n: number) => n * n);
    const slowDouble = vi.fn(async (n: number) => n * 2);
    const fastSquare = memoize(square, { cache });
    const fastDouble = memoize(slowDouble, { cache });
    expect(await fastSquare(3)).toBe(9);
    expect(await fastSquare(3)).toBe(9);
    expect(await fastSquare(4)).toBe(16);
    expect(await Promise.all([fastDouble(5), fastDouble(5)])).toEqual([10, 10]);
    expect(square).toHaveBeenCalledTimes(2);
    expect(slowDouble).toHaveBeenCalledTimes(1);
  });

  it('uses the key function, ttl and tags', async () => {
    const clock = new ManualClock();
    const cache = new MapCache<string>({ clock });
    const load = vi.fn(async (id: number) => `user ${id}`);
    const user = memoize(load, { cache, key: (id) => `user:${id}`, ttl: '1s', tags: (id) => [`u${id}`] });
    await user(1);
    expect((await cache.getEntry('user:1'))?.tags).toEqual(['u1']);
    clock.advance(1000);
    await user(1);
    expect(load).toHaveBeenCalledTimes(2);
    clock.advance(1);
    await cache.invalidateTags(['u1']);
    clock.advance(1);
    await user(1);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('does not cache errors', async () => {
    const cache = new MapCache<number>();
    let calls = 0;
    const flaky = memoize(
      async () => {
        calls++;
        if (calls === 1) throw new Error('first');
        return 7;
      },
      { cache },
    );
    await expect(flaky()).rejects.toThrow('first');
    expect(await flaky()).toBe(7);
  });

  it('refuses a missing cache or function', () => {
    expect(() => memoize((() => 1) as () => number, {} as never)).toThrow(CacheConfigError);
    expect(() => memoize(1 as never, { cache: new MapCache() })).toThrow(CacheConfigError);
  });
});
