import { ManualClock, MapCache } from '@cache/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { CacheConfigError, CacheKeyError, memoize } from '../src/index.js';

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

  it('refuses a missing cache or function, and a bad name or key', () => {
    expect(() => memoize((() => 1) as () => number, {} as never)).toThrow(CacheConfigError);
    expect(() => memoize((() => 1) as () => number, null as never)).toThrow(CacheConfigError);
    expect(() => memoize(1 as never, { cache: new MapCache() })).toThrow(CacheConfigError);
    const cache = new MapCache<number>();
    for (const name of ['', 5, null])
      expect(() => memoize(() => 1, { cache, name: name as never })).toThrow(CacheConfigError);
    expect(() => memoize(() => 1, { cache, name: 'f\uD800' })).toThrow(CacheKeyError);
    expect(() => memoize(() => 1, { cache, key: 'k' as never })).toThrow(CacheConfigError);
  });

  it('keeps two anonymous functions apart: square(3) is 9 and double(3) is 6 on one cache', async () => {
    const cache = new MapCache<number>();
    const [square, double] = [
      memoize((n: number) => n * n, { cache }),
      memoize((n: number) => n * 2, { cache }),
    ];
    expect(await square(3)).toBe(9);
    expect(await double(3)).toBe(6);
    expect(await square(3)).toBe(9);
    // Two memoizations of one function are two functions too.
    const named = function compute(n: number) {
      return n + 1;
    };
    const other = function compute(n: number) {
      return n + 2;
    };
    const [a, b] = [memoize(named, { cache }), memoize(other, { cache })];
    expect([await a(1), await b(1)]).toEqual([2, 3]);
    expect(cache.entries.size).toBe(4);
  });

  it('keeps apart the arguments JSON.stringify confuses', async () => {
    const cache = new MapCache<string>();
    const calls: unknown[][] = [];
    const describe = memoize(
      (...args: unknown[]) => {
        calls.push(args);
        return args.map((arg) => Object.prototype.toString.call(arg)).join(' ');
      },
      { cache },
    );
    const lists: unknown[][] = [
      [undefined],
      [null],
      [],
      [undefined, undefined],
      [new Date(0)],
      ['1970-01-01T00:00:00.000Z'],
      [new Map([['a', 1]])],
      [{}],
      [-0],
      [0],
      [1n],
      ['1'],
      [[null]],
      [[undefined]],
    ];
    for (const args of lists) await describe(...args);
    for (const args of lists) await describe(...args);
    expect(calls).toEqual(lists);
    expect(cache.entries.size).toBe(lists.length);
  });

  it('shares results between memoizations with one name, and only those', async () => {
    const cache = new MapCache<number>();
    const first = memoize((n: number) => n * 10, { cache, name: 'times' });
    const again = memoize((n: number) => n * 99, { cache, name: 'times' });
    const colon = memoize((n: number) => n * 7, { cache, name: 'times:[1]' });
    expect(await first(1)).toBe(10);
    expect(await again(1)).toBe(10);
    expect(await colon(1)).toBe(7);
    expect([...cache.entries.keys()].sort()).toEqual(['times:[1]', 'times:[1]:[1]']);
    expect(await cache.deleteMatching('times:*')).toBe(2);
  });

  it('rejects with CacheConfigError a call whose arguments have no unambiguous key, running nothing', async () => {
    const cache = new MapCache<number>();
    let runs = 0;
    const count = memoize(
      (..._args: unknown[]) => {
        runs++;
        return 1;
      },
      { cache },
    );
    class Thing {}
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    for (const bad of [() => 1, Symbol('s'), new Thing(), cyclic]) {
      await expect(count(bad)).rejects.toMatchObject({ code: 'CACHE_CONFIG' });
    }
    expect(runs).toBe(0);
    expect(cache.entries.size).toBe(0);
    // A key function takes what the default key refuses.
    const keyed = memoize((t: Thing) => (t instanceof Thing ? 1 : 0), { cache, key: () => 'thing' });
    expect(await keyed(new Thing())).toBe(1);
  });
});
