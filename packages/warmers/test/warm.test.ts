import { MemoryCache } from '@cache/backend-memory';
import {
  CacheConfigError,
  CacheConnectionError,
  CacheErrorCode,
  CacheKeyError,
  ManualClock,
} from '@cache/core';
import { MapCache, mulberry32 } from '@cache/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { fromCache, warm } from '../src/index.js';
import { deferred, ImmediateTimers, ManualTimers, settle } from './helpers.js';

/** A MapCache whose setMany and add calls are recorded (sizes of each setMany). */
function recorded(clock = new ManualClock()) {
  const cache = new MapCache({ clock });
  const setMany = vi.spyOn(cache, 'setMany');
  const add = vi.spyOn(cache, 'add');
  const set = vi.spyOn(cache, 'set');
  const batchSizes = () => setMany.mock.calls.map((call) => [...call[0]].length);
  return { cache, clock, setMany, add, set, batchSizes };
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);

describe('warm: entries', () => {
  it('writes entries in batches through setMany and counts entries without a value as missing', async () => {
    const { cache, batchSizes, add } = recorded();
    const entries = range(250).map((i) => [`k${i}`, i % 25 === 0 ? undefined : i] as const);
    const report = await warm(cache, entries, { mode: 'overwrite', batchSize: 100 });
    expect(report).toMatchObject({
      loaded: 240,
      skipped: 10,
      failed: 0,
      skips: { missing: 10, present: 0, expired: 0 },
      errors: [],
      aborted: false,
    });
    expect(batchSizes()).toEqual([100, 100, 40]);
    expect(add).not.toHaveBeenCalled();
    expect(await cache.get('k1')).toBe(1);
    expect(await cache.has('k25')).toBe(false);
  });

  it('reads async iterables and Maps', async () => {
    const { cache } = recorded();
    async function* gen() {
      for (const i of range(5)) yield [`a${i}`, i] as const;
    }
    expect((await warm(cache, gen())).loaded).toBe(5);
    expect((await warm(cache, new Map([['m', 1]]))).loaded).toBe(1);
    expect(await cache.get('a4')).toBe(4);
  });

  it('fill-missing writes with add and leaves values the cache holds', async () => {
    const { cache, add, setMany } = recorded();
    await cache.set('k1', 'kept');
    const report = await warm(
      cache,
      range(5).map((i) => [`k${i}`, `new${i}`] as const),
      { batchSize: 2 },
    );
    expect(report).toMatchObject({ loaded: 4, skipped: 1, skips: { present: 1 } });
    expect(add).toHaveBeenCalledTimes(5);
    expect(setMany).not.toHaveBeenCalled();
    expect(await cache.get('k1')).toBe('kept');
    expect(await cache.get('k2')).toBe('new2');
  });

  it('applies ttl and tags (merged with the tags an entry carries)', async () => {
    const clock = new ManualClock();
    const cache = new MapCache({ clock });
    await warm(cache, [['a', 1]], { ttl: '10s', tags: ['warm'] });
    const entry = await cache.getEntry('a');
    expect(entry?.expiresAt).toBe(clock.now() + 10_000);
    expect(entry?.tags).toEqual(['warm']);
  });

  it('counts a pair that is not [key, value] and an invalid key as failed, writing the rest', async () => {
    const { cache, batchSizes, set } = recorded();
    const source = [['a', 1], 'oops', ['', 2], ['b', 3]] as unknown as [string, number][];
    const report = await warm(cache, source, { mode: 'overwrite' });
    expect(report).toMatchObject({ loaded: 2, failed: 2, skipped: 0 });
    expect(report.errors.map((e) => e.code).sort()).toEqual([
      CacheErrorCode.config,
      CacheErrorCode.keyInvalid,
    ]);
    // The setMany of ['a', '', 'b'] fails on the bad key, then each entry is written alone.
    expect(batchSizes()).toEqual([3]);
    expect(set).toHaveBeenCalledTimes(3);
    expect(await cache.get('b')).toBe(3);
  });

  it('rejects when the source itself throws, after the writes in flight', async () => {
    const { cache } = recorded();
    const boom = new Error('disk gone');
    async function* gen() {
      yield ['a', 1] as const;
      throw boom;
    }
    const error = await warm(cache, gen(), { batchSize: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CacheErrorCode.error, cause: boom });
    expect(await cache.get('a')).toBe(1);
  });

  it('calls onProgress after each write batch and once at the end', async () => {
    const { cache } = recorded();
    const progress: number[] = [];
    await warm(
      cache,
      range(25).map((i) => [`k${i}`, i] as const),
      { batchSize: 10, concurrency: 1, onProgress: (p) => progress.push(p.loaded) },
    );
    expect(progress).toEqual([10, 20, 25, 25]);
  });
});

describe('warm: keys with a loader', () => {
  it('load: counts loaded, missing and failed keys; retries failures', async () => {
    const { cache } = recorded();
    const calls = new Map<string, number>();
    const keys = range(30).map((i) => `k${i}`);
    const report = await warm(
      cache,
      {
        keys,
        load: (key) => {
          calls.set(key, (calls.get(key) ?? 0) + 1);
          const i = Number(key.slice(1));
          if (i < 2) throw new Error(`db down for ${key}`);
          return i % 6 === 0 ? undefined : { i };
        },
      },
      { retries: 1, timers: new ImmediateTimers(), concurrency: 3, batchSize: 7 },
    );
    // k0 and k1 fail; k6, k12, k18, k24 have no value (k0 would be missing too but fails first).
    expect(report).toMatchObject({ loaded: 24, failed: 2, skipped: 4, skips: { missing: 4 } });
    expect(report.errors.map((e) => e.key).sort()).toEqual(['k0', 'k1']);
    expect(report.errors[0]).toMatchObject({ code: CacheErrorCode.error });
    expect(report.errors.find((e) => e.key === 'k0')?.cause).toMatchObject({ message: 'db down for k0' });
    expect(calls.get('k0')).toBe(2);
    expect(calls.get('k5')).toBe(1);
    expect(await cache.get('k5')).toEqual({ i: 5 });
  });

  it('never runs more than `concurrency` loads at once', async () => {
    const { cache } = recorded();
    let active = 0;
    let peak = 0;
    await warm(
      cache,
      {
        keys: range(40).map(String),
        load: async (key) => {
          active++;
          peak = Math.max(peak, active);
          await settle();
          active--;
          return key;
        },
      },
      { concurrency: 3, batchSize: 5 },
    );
    expect(peak).toBe(3);
  });

  it('loadMany: batches of batchSize keys in order; undefined is a miss; keys the cache holds are not loaded', async () => {
    const { cache } = recorded();
    await cache.set('k3', 'held');
    await cache.set('k11', 'held');
    const asked: string[][] = [];
    const report = await warm(
      cache,
      {
        keys: async function* () {
          for (const i of range(25)) yield `k${i}`;
        },
        loadMany: (keys) => {
          asked.push([...keys]);
          return keys.map((k) => (k === 'k7' ? undefined : `v${k}`));
        },
      },
      { batchSize: 10, concurrency: 1 },
    );
    expect(asked.map((a) => a.length)).toEqual([9, 9, 5]);
    expect(asked[0]).not.toContain('k3');
    expect(report).toMatchObject({ loaded: 22, skipped: 3, skips: { present: 2, missing: 1 }, failed: 0 });
    expect(await cache.get('k3')).toBe('held');
    expect(await cache.get('k24')).toBe('vk24');
  });

  it('loadMany that answers with the wrong number of values fails its batch (no retry)', async () => {
    const { cache } = recorded();
    let calls = 0;
    const report = await warm(
      cache,
      {
        keys: ['a', 'b', 'c'],
        loadMany: () => {
          calls++;
          return ['x'];
        },
      },
      { retries: 3 },
    );
    expect(calls).toBe(1);
    expect(report).toMatchObject({ loaded: 0, failed: 3 });
    expect(report.errors[0]).toBeInstanceOf(CacheConfigError);
  });

  it('fill-missing never overwrites a value written while its load ran', async () => {
    const { cache } = recorded();
    const gate = deferred<string>();
    const started = deferred();
    const run = warm(cache, {
      keys: ['a', 'b'],
      load: (key) => {
        if (key === 'b') return 'loaded-b';
        started.resolve();
        return gate.promise;
      },
    });
    await started.promise;
    await cache.set('a', 'fresh'); // a request wrote the real value meanwhile
    gate.resolve('stale');
    const report = await run;
    expect(report).toMatchObject({ loaded: 1, skipped: 1, skips: { present: 1 } });
    expect(await cache.get('a')).toBe('fresh');
    expect(await cache.get('b')).toBe('loaded-b');
  });

  it('overwrite writes over values the cache holds', async () => {
    const { cache } = recorded();
    await cache.set('a', 'old');
    const report = await warm(cache, { keys: ['a'], load: () => 'new' }, { mode: 'overwrite' });
    expect(report.loaded).toBe(1);
    expect(await cache.get('a')).toBe('new');
  });

  it('accepts keys from a function returning a promise of an iterable', async () => {
    const { cache } = recorded();
    const report = await warm(cache, { keys: async () => ['x', 'y'], load: (k) => k });
    expect(report.loaded).toBe(2);
  });
});

describe('warm: retries', () => {
  it('retries a load with exponential backoff and full jitter, capped by maxRetryDelay', async () => {
    const { cache } = recorded();
    const timers = new ImmediateTimers();
    let calls = 0;
    const attempts: number[] = [];
    const report = await warm(
      cache,
      {
        keys: ['a'],
        load: (_key, ctx) => {
          attempts.push(ctx.attempt);
          if (++calls < 4) throw new Error('flaky');
          return 'ok';
        },
      },
      { retries: 3, retryDelay: 100, maxRetryDelay: 300, random: () => 0.5, timers },
    );
    expect(report).toMatchObject({ loaded: 1, failed: 0 });
    expect(attempts).toEqual([0, 1, 2, 3]);
    // random() * min(300, 100 * 2^n): 0.5 * 100, 0.5 * 200, 0.5 * 300 (capped)
    expect(timers.delays).toEqual([50, 100, 150]);
  });

  it('retries a failed batch write; a permanent error is not retried', async () => {
    const { cache, setMany } = recorded();
    const timers = new ImmediateTimers();
    const real = MapCache.prototype.setMany.bind(cache);
    let failures = 2;
    setMany.mockImplementation(async (entries, options) => {
      if (failures-- > 0) throw new CacheConnectionError('redis away');
      return real(entries, options);
    });
    const report = await warm(
      cache,
      range(4).map((i) => [`k${i}`, i] as const),
      { mode: 'overwrite', retries: 2, retryDelay: 10, random: () => 1, timers },
    );
    expect(report).toMatchObject({ loaded: 4, failed: 0 });
    expect(setMany).toHaveBeenCalledTimes(3);
    expect(timers.delays).toEqual([10, 20]);

    const timers2 = new ImmediateTimers();
    const bad = await warm(cache, [['', 1]], { retries: 5, timers: timers2 });
    expect(bad).toMatchObject({ loaded: 0, failed: 1 });
    expect(bad.errors[0]).toBeInstanceOf(CacheKeyError);
    expect(timers2.delays).toEqual([]);
  });

  it('gives up after the retries and counts the batch as failed', async () => {
    const { cache, setMany } = recorded();
    setMany.mockRejectedValue(new CacheConnectionError('down'));
    const report = await warm(
      cache,
      range(3).map((i) => [`k${i}`, i] as const),
      { mode: 'overwrite', retries: 2, timers: new ImmediateTimers() },
    );
    expect(setMany).toHaveBeenCalledTimes(3);
    expect(report).toMatchObject({ loaded: 0, failed: 3 });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toBeInstanceOf(CacheConnectionError);
  });
});

describe('warm: abort and deadline', () => {
  it('an aborted signal stops the run: abandoned loads write nothing after warm settles', async () => {
    const { cache, add } = recorded();
    const controller = new AbortController();
    const gates: ((v: string) => void)[] = [];
    const signals: AbortSignal[] = [];
    const run = warm(
      cache,
      {
        keys: range(20).map(String),
        load: (key, ctx) => {
          signals.push(ctx.signal);
          if (key === '0') return 'first';
          return new Promise<string>((resolve) => gates.push(resolve));
        },
      },
      { concurrency: 4, batchSize: 1, signal: controller.signal },
    );
    await vi.waitFor(() => expect(gates).toHaveLength(4));
    await vi.waitFor(() => expect(add).toHaveBeenCalledTimes(1));
    controller.abort();
    const report = await run;
    expect(report).toMatchObject({ aborted: true, loaded: 1, failed: 0 });
    expect(signals.every((s) => s.aborted)).toBe(true);
    for (const gate of gates) gate('late');
    await settle();
    await settle();
    expect(add).toHaveBeenCalledTimes(1);
    expect([...cache.entries.keys()]).toEqual(['0']);
  });

  it('waits for a write in flight before it settles', async () => {
    const { cache, setMany } = recorded();
    const controller = new AbortController();
    const gate = deferred();
    const real = MapCache.prototype.setMany.bind(cache);
    setMany.mockImplementation(async (entries, options) => {
      await gate.promise;
      return real(entries, options);
    });
    let settled = false;
    const run = warm(
      cache,
      range(10).map((i) => [`k${i}`, i] as const),
      {
        mode: 'overwrite',
        batchSize: 5,
        concurrency: 1,
        signal: controller.signal,
      },
    ).then((r) => {
      settled = true;
      return r;
    });
    await vi.waitFor(() => expect(setMany).toHaveBeenCalledTimes(1));
    controller.abort();
    await settle();
    expect(settled).toBe(false);
    gate.resolve();
    const report = await run;
    expect(report).toMatchObject({ aborted: true, loaded: 5 });
    expect(setMany).toHaveBeenCalledTimes(1);
    expect(cache.entries.size).toBe(5);
  });

  it('a signal aborted before the start reads nothing', async () => {
    const { cache } = recorded();
    let read = false;
    const report = await warm(
      cache,
      {
        keys: () => {
          read = true;
          return ['a'];
        },
        load: () => 1,
      },
      { signal: AbortSignal.abort() },
    );
    expect(read).toBe(false);
    expect(report).toMatchObject({ aborted: true, loaded: 0, skipped: 0, failed: 0 });
  });

  it('the deadline stops a run whose loads hang, by the injected timers', async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const { cache, add } = recorded(clock);
    let settled = false;
    const run = warm(
      cache,
      { keys: ['a', 'b'], load: (key) => (key === 'a' ? 'A' : new Promise(() => {})) },
      { deadline: '5s', clock, timers, batchSize: 1 },
    ).then((r) => {
      settled = true;
      return r;
    });
    await timers.advance(4999);
    expect(settled).toBe(false);
    await timers.advance(1);
    const report = await run;
    expect(report).toMatchObject({ aborted: true, loaded: 1, durationMs: 5000 });
    expect(add).toHaveBeenCalledTimes(1);
    expect(timers.pending).toBe(0);
  });

  it('the deadline is also checked against the clock before each write (epoch ms or a Date)', async () => {
    const clock = new ManualClock();
    const { cache, add } = recorded(clock);
    const start = clock.now();
    async function* slow() {
      for (const i of range(10)) {
        clock.advance(1000); // each entry takes a second to read
        yield [`k${i}`, i] as const;
      }
    }
    const report = await warm(cache, slow(), { deadline: start + 3500, clock, batchSize: 1, concurrency: 1 });
    // k0 (t+1s), k1 (t+2s), k2 (t+3s) are written; reading k3 passes t+3.5s.
    expect(report).toMatchObject({ aborted: true, loaded: 3, durationMs: 4000 });
    expect(add).toHaveBeenCalledTimes(3);
    const again = await warm(cache, slow(), { deadline: new Date(clock.now() - 1), clock });
    expect(again).toMatchObject({ aborted: true, loaded: 0 });
  });

  it('a run that finishes before its deadline is not aborted and leaves no timer', async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers(clock);
    const report = await warm(new MapCache({ clock }), [['a', 1]], { deadline: '1m', clock, timers });
    expect(report.aborted).toBe(false);
    expect(timers.pending).toBe(0);
  });
});

describe('warm: TTL jitter', () => {
  it('fill-missing: each entry gets its own draw in [ttl * (1 - jitter), ttl]', async () => {
    const clock = new ManualClock();
    const cache = new MapCache({ clock });
    let n = 0;
    const random = () => (n++ % 10) / 10; // 0, 0.1, ... 0.9
    await warm(
      cache,
      range(10).map((i) => [`k${i}`, i] as const),
      { ttl: '1000s', ttlJitter: 0.2, random, concurrency: 1 },
    );
    const ttls = [];
    for (const i of range(10))
      ttls.push(((await cache.getEntry(`k${i}`))?.expiresAt as number) - clock.now());
    expect(ttls).toEqual([
      1_000_000, 980_000, 960_000, 940_000, 920_000, 900_000, 880_000, 860_000, 840_000, 820_000,
    ]);
  });

  it('overwrite: a batch is written in up to 8 setMany groups, each with one draw', async () => {
    const { cache, clock, batchSizes, setMany } = recorded();
    const random = mulberry32(7);
    await warm(
      cache,
      range(200).map((i) => [`k${i}`, i] as const),
      { mode: 'overwrite', ttl: '1h', ttlJitter: 0.5, random, batchSize: 100 },
    );
    expect(batchSizes()).toEqual(
      Array(16)
        .fill(12.5)
        .map((_, i) => (i % 2 === 0 ? 12 : 13)),
    );
    const ttls = setMany.mock.calls.map((call) => call[1]?.ttl as number);
    expect(new Set(ttls).size).toBe(16);
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThanOrEqual(1_800_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
    }
    const expiries = new Set([...cache.entries.values()].map((e) => e.expiresAt));
    expect(expiries.size).toBe(16);
    expect(clock.now()).toBe(new ManualClock().now());
  });
});

describe('warm: fromCache', () => {
  it('copies live entries with their remaining TTL and tags, under a prefix', async () => {
    const clock = new ManualClock();
    const source = new MemoryCache({ clock });
    await source.set('user:1', { name: 'Ada', born: new Date(0) }, { ttl: '10m', tags: ['users'] });
    await source.set('user:2', 'Bob');
    await source.set('user:3', 'gone', { ttl: '1s' });
    await source.set('page:1', 'p');
    clock.advance(60_000);
    const target = new MapCache({ clock });
    await target.set('user:2', 'newer');
    const report = await warm(target, fromCache(source, { prefix: 'user:' }), { clock });
    expect(report).toMatchObject({ loaded: 1, skipped: 1, skips: { present: 1 }, failed: 0 });
    const entry = await target.getEntry('user:1');
    expect(entry?.value).toEqual({ name: 'Ada', born: new Date(0) });
    expect(entry?.expiresAt).toBe(clock.now() + 540_000);
    expect(entry?.tags).toEqual(['users']);
    expect(await target.get('user:2')).toBe('newer');
    expect(await target.has('page:1')).toBe(false);
    await target.invalidateTags(['users']);
    expect(await target.has('user:1')).toBe(false);
  });

  it('overwrite copies entries that never expire as never expiring', async () => {
    const clock = new ManualClock();
    const source = new MemoryCache({ clock });
    await source.set('a', 1);
    const target = new MapCache({ clock, defaultTtl: '1m' });
    await warm(target, fromCache(source), { mode: 'overwrite', clock });
    expect((await target.getEntry('a'))?.expiresAt).toBeUndefined();
    await warm(target, fromCache(source), { mode: 'overwrite', clock, ttl: '5s' });
    expect((await target.getEntry('a'))?.expiresAt).toBe(clock.now() + 5000);
  });
});

describe('warm: options', () => {
  const cache = new MapCache();
  it.each([
    [{ concurrency: 0 }],
    [{ batchSize: 1.5 }],
    [{ ttlJitter: 1.5 }],
    [{ ttlJitter: 0.1 }],
    [{ ttl: 0 }],
    [{ mode: 'merge' }],
    [{ retries: -1 }],
    [{ retryDelay: 'soon' }],
    [{ deadline: -5 }],
    [{ deadline: new Date(Number.NaN) }],
    [{ concurency: 2 }],
    [{ onProgress: 'yes' }],
  ])('refuses %j with CacheConfigError', async (options) => {
    await expect(warm(cache, [], options as never)).rejects.toMatchObject({ code: CacheErrorCode.config });
  });

  const one = (): number => 1;
  const many = (): number[] => [1];
  it.each<[unknown]>([
    [null],
    [42],
    [{ keys: ['a'] }],
    [{ keys: ['a'], load: one, loadMany: many }],
    [{ keys: 5, load: one }],
  ])('refuses the source %j with CacheConfigError', async (source) => {
    await expect(warm(cache, source as never)).rejects.toBeInstanceOf(CacheConfigError);
  });

  it('refuses a cache that is not one, and fromCache of a non-cache', async () => {
    await expect(warm({} as never, [])).rejects.toBeInstanceOf(CacheConfigError);
    expect(() => fromCache({} as never)).toThrow(CacheConfigError);
  });
});
