/**
 * Bad input on every path of MemoryCache, async and sync: ill-formed keys, tags, prefixes and
 * patterns are refused with core's checks (`CACHE_KEY_INVALID`), options that are not an
 * object are `CACHE_CONFIG`, timer options beyond 2^31-1 ms are refused, and a refused call
 * leaves the previous value intact.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCache } from '@cache/backend-memory';
import { CacheConfigError, CacheErrorCode, CacheKeyError } from '@cache/core';
import { MAX_TIMER_MS } from '@cache/core/backend';
import { collect, expectCacheError } from '@cache/test-utils';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { make } from './helpers.js';

/** Runs `call` and returns what it threw (synchronously or as a rejection), or `undefined`. */
async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('keys from the whole UTF-16 range', () => {
  const wellFormed = (key: string) => key.length > 0 && key.isWellFormed() && Buffer.byteLength(key) <= 1024;

  it('are distinct or refused with CACHE_KEY_INVALID on the async API', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 12 }),
        async (keys) => {
          const cache = make<number>();
          for (const [i, key] of keys.entries()) {
            const error = await thrown(() => cache.set(key, i));
            if (wellFormed(key)) expect(error).toBeUndefined();
            else {
              expect(error).toBeInstanceOf(CacheKeyError);
              expect((error as CacheKeyError).code).toBe(CacheErrorCode.keyInvalid);
            }
          }
          const accepted = keys.filter(wellFormed);
          expect(cache.size).toBe(accepted.length);
          for (const [i, key] of keys.entries()) {
            if (wellFormed(key)) expect(await cache.get(key)).toBe(i);
            else await expectCacheError(() => cache.get(key), CacheKeyError, CacheErrorCode.keyInvalid);
          }
          expect((await collect(cache.keys())).sort()).toEqual([...accepted].sort());
          await cache.close();
        },
      ),
      { numRuns: 150 },
    );
  }, 30_000);

  it('are distinct or refused with CACHE_KEY_INVALID on the sync API', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 12 }), (keys) => {
        const cache = new MemoryCache<number>({ sweepInterval: false });
        for (const [i, key] of keys.entries()) {
          if (wellFormed(key)) cache.setSync(key, i);
          else {
            expect(() => cache.setSync(key, i)).toThrow(CacheKeyError);
            expect(() => cache.addSync(key, i)).toThrow(CacheKeyError);
          }
        }
        expect(cache.size).toBe(keys.filter(wellFormed).length);
        for (const [i, key] of keys.entries()) {
          if (wellFormed(key)) {
            expect(cache.getSync(key)).toBe(i);
            expect(cache.peek(key)).toBe(i);
            expect(cache.hasSync(key)).toBe(true);
          } else {
            for (const call of [
              () => cache.getSync(key),
              () => cache.peek(key),
              () => cache.hasSync(key),
              () => cache.deleteSync(key),
            ]) {
              expect(call).toThrow(CacheKeyError);
              try {
                call();
              } catch (error) {
                expect((error as CacheKeyError).code).toBe(CacheErrorCode.keyInvalid);
              }
            }
          }
        }
        void cache.close();
      }),
      { numRuns: 300 },
    );
  });

  it('a lone surrogate, its twin and U+FFFD stay three keys; each lone one is refused everywhere', async () => {
    const cache = make<string>();
    await cache.set('user:\uFFFD', 'replacement');
    for (const key of ['user:\uD800', 'user:\uDC00', '\uDBFF', 'a\uDC00b']) {
      const invalid = CacheErrorCode.keyInvalid;
      const calls: (() => unknown)[] = [
        () => cache.get(key),
        () => cache.getOrThrow(key),
        () => cache.getEntry(key),
        () => cache.set(key, 'x'),
        () => cache.add(key, 'x'),
        () => cache.has(key),
        () => cache.delete(key),
        () => cache.getMany(['ok', key]),
        () =>
          cache.setMany([
            ['ok', 'x'],
            [key, 'x'],
          ]),
        () => cache.deleteMany(['user:\uFFFD', key]),
        () => cache.getOrSet(key, () => 'x'),
        () => cache.getOrSet(key, () => 'x', { ttl: 1000 }),
        () => cache.getSync(key),
        () => cache.peek(key),
        () => cache.setSync(key, 'x'),
        () => cache.setSync(key, 'x', { ttl: 1000 }),
        () => cache.addSync(key, 'x'),
        () => cache.hasSync(key),
        () => cache.deleteSync(key),
        () => cache.importEntries([{ key, value: 'x', createdAt: 0, expiresAt: undefined, tags: [] }]),
        // tags, prefixes and patterns go through the same check
        () => cache.set('ok', 'x', { tags: [key] }),
        () => cache.setSync('ok', 'x', { tags: ['t', key] }),
        () => cache.addSync('new', 'x', { tags: [key] }),
        () => cache.setMany([['ok', 'x']], { tags: [key] }),
        () => cache.getOrSet('new', () => 'x', { tags: [key] }),
        () => cache.invalidateTags([key]),
        () => collect(cache.keys({ prefix: key })),
        () => cache.clear({ prefix: key }),
        () => cache.deleteMatching(`${key}*`),
        () => cache.deleteMatching(`user:?${key}`),
      ];
      for (const call of calls) await expectCacheError(call, CacheKeyError, invalid);
    }
    expect(cache.size).toBe(1);
    expect(cache.getSync('user:\uFFFD')).toBe('replacement');
    expect(await cache.has('ok')).toBe(false);
  });
});

describe('options that are not an object', () => {
  const notObjects: unknown[] = [null, 5, 0, 'ttl', '', true, [], ['ttl'], () => 1, Symbol('x'), 10n];

  it.each(
    notObjects.map((options) => [
      String(
        typeof options === 'symbol'
          ? 'symbol'
          : options === null
            ? 'null'
            : Array.isArray(options)
              ? `[${options}]`
              : options,
      ),
      options,
    ]),
  )('are CACHE_CONFIG on every method, and the previous value stays (%s)', async (_name, options) => {
    const cache = make<string>();
    cache.setSync('k', 'before', { tags: ['t'] });
    const o = options as never;
    const calls: (() => unknown)[] = [
      () => cache.set('k', 'after', o),
      () => cache.setSync('k', 'after', o),
      () => cache.add('new', 'after', o),
      () => cache.addSync('new', 'after', o),
      () => cache.setMany([['k', 'after']], o),
      () => cache.getOrSet('new', () => 'after', o),
      () => collect(cache.keys(o)),
      () => cache.clear(o),
    ];
    for (const call of calls) await expectCacheError(call, CacheConfigError, CacheErrorCode.config);
    expect(cache.getSync('k')).toBe('before');
    expect(await cache.getEntry('k')).toMatchObject({ value: 'before', tags: ['t'], expiresAt: undefined });
    expect(cache.size).toBe(1);
  });

  const badFields: [string, unknown][] = [
    ['ttl 0', { ttl: 0 }],
    ['ttl -1', { ttl: -1 }],
    ['ttl NaN', { ttl: Number.NaN }],
    ['ttl unparsable', { ttl: 'soon' }],
    ['ttl beyond 1000 years', { ttl: 1e300 }],
    ['ttl null', { ttl: null }],
    ['tags not an array', { tags: 'a' }],
    ['tags with an empty tag', { tags: [''] }],
    ['tags with a number', { tags: ['a', 1] }],
    ['tags null', { tags: null }],
  ];
  it.each(badFields)(
    'with a bad field are CACHE_CONFIG, and the previous value stays (%s)',
    async (_name, options) => {
      const cache = make<string>();
      cache.setSync('k', 'before', { ttl: 60_000 });
      const entry = await cache.getEntry('k');
      const o = options as never;
      for (const call of [
        () => cache.set('k', 'after', o),
        () => cache.setSync('k', 'after', o),
        () => cache.add('new', 'after', o),
        () => cache.addSync('new', 'after', o),
        () => cache.setMany([['k', 'after']], o),
        () => cache.getOrSet('new', () => 'after', o),
      ])
        await expectCacheError(call, CacheConfigError, CacheErrorCode.config);
      expect(await cache.getEntry('k')).toMatchObject({ value: 'before', expiresAt: entry?.expiresAt });
      expect(cache.size).toBe(1);
    },
  );
});

describe('timer options', () => {
  let dir: string | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it.each([
    ['sweepInterval', { sweepInterval: '30d' }],
    ['sweepInterval', { sweepInterval: MAX_TIMER_MS + 1 }],
    ['persist.interval', { persist: { path: '/nonexistent/never-read.snap', interval: '25d' } }],
    ['persist.interval', { persist: { path: '/nonexistent/never-read.snap', interval: 2 ** 31 } }],
  ])('refuse %s beyond 2^31-1 ms with CACHE_CONFIG', async (_name, options) => {
    await expectCacheError(() => new MemoryCache(options as never), CacheConfigError, CacheErrorCode.config);
  });

  it('take 2^31-1 ms and Infinity (no timer), and no timer fires early', async () => {
    dir = await mkdtemp(join(tmpdir(), 'memory-timers-'));
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const path = join(dir, 'cache.snap');
    const longest = new MemoryCache<number>({
      sweepInterval: MAX_TIMER_MS,
      persist: { path, interval: MAX_TIMER_MS, onClose: false },
    });
    const never = new MemoryCache<number>({
      sweepInterval: Infinity,
      persist: { path: join(dir, 'b.snap'), interval: 'infinity', onClose: false },
    });
    longest.setSync('k', 1, { ttl: 10 });
    never.setSync('k', 1);
    // A timer given more than 2^31-1 ms would fire after 1 ms: an hour of timers writes nothing.
    vi.advanceTimersByTime(3_600_000);
    expect(vi.getTimerCount()).toBe(2);
    expect(await readdir(dir)).toEqual([]);
    expect(longest.size).toBe(1);
    await Promise.all([longest.close(), never.close()]);
  });
});
