import { ManualClock, MapCache } from '@cache/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CacheConfigError, CacheTimeoutError } from '../src/index.js';
import type { LockRelease, StoredEntry } from '../src/backend.js';

function setup() {
  const clock = new ManualClock();
  const cache = new MapCache<string>({ clock });
  return { clock, cache };
}

describe('getOrSet', () => {
  it('runs the factory on a miss, stores the value and serves it afterwards', async () => {
    const { cache } = setup();
    const factory = vi.fn(async () => 'v1');
    expect(await cache.getOrSet('k', factory, { ttl: '1m' })).toBe('v1');
    expect(await cache.getOrSet('k', factory)).toBe('v1');
    expect(factory).toHaveBeenCalledTimes(1);
    expect(cache.stats.snapshot()).toMatchObject({ hits: 1, misses: 1, sets: 1 });
  });

  it('runs the factory once for concurrent callers (single-flight)', async () => {
    const { cache } = setup();
    let release!: (v: string) => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const factory = vi.fn(() => {
      started();
      return new Promise<string>((r) => (release = r));
    });
    const calls = Array.from({ length: 10 }, () => cache.getOrSet('k', factory));
    // Waits for the event it needs (the factory ran), however many steps getOrSet takes to get there.
    await running;
    release('once');
    expect(await Promise.all(calls)).toEqual(Array(10).fill('once'));
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('passes a factory error to every caller unchanged and caches nothing', async () => {
    const { cache } = setup();
    const boom = new RangeError('boom');
    const factory = vi.fn(async () => {
      throw boom;
    });
    const results = await Promise.allSettled([cache.getOrSet('k', factory), cache.getOrSet('k', factory)]);
    expect(results.map((r) => (r as PromiseRejectedResult).reason)).toEqual([boom, boom]);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(await cache.has('k')).toBe(false);
    expect(await cache.getOrSet('k', async () => 'later')).toBe('later');
  });

  it('fails with CACHE_TIMEOUT past the timeout and aborts the signal', async () => {
    const { cache } = setup();
    let signal: AbortSignal | undefined;
    const error = await cache
      .getOrSet(
        'k',
        (ctx) => {
          signal = ctx.signal;
          return new Promise<string>(() => {});
        },
        { timeout: 20 },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheTimeoutError);
    expect((error as CacheTimeoutError).code).toBe('CACHE_TIMEOUT');
    expect(signal?.aborted).toBe(true);
    expect(await cache.has('k')).toBe(false);
  });

  it('serves a stale value while one background refresh runs (staleWhileRevalidate)', async () => {
    const { clock, cache } = setup();
    await cache.getOrSet('k', () => 'old', { ttl: '10s', staleWhileRevalidate: '1m' });
    clock.advance(15_000);
    let finish!: (v: string) => void;
    const refresh = vi.fn(() => new Promise<string>((r) => (finish = r)));
    expect(await cache.getOrSet('k', refresh, { ttl: '10s', staleWhileRevalidate: '1m' })).toBe('old');
    expect(await cache.getOrSet('k', refresh, { ttl: '10s', staleWhileRevalidate: '1m' })).toBe('old');
    expect(refresh).toHaveBeenCalledTimes(1);
    finish('new');
    await vi.waitFor(async () => expect(await cache.get('k')).toBe('new'));
  });

  it('runs the factory in the foreground once the stale window has passed', async () => {
    const { clock, cache } = setup();
    await cache.getOrSet('k', () => 'old', { ttl: '10s', staleWhileRevalidate: '5s' });
    clock.advance(16_000);
    expect(await cache.getOrSet('k', () => 'new', { ttl: '10s', staleWhileRevalidate: '5s' })).toBe('new');
  });

  it('serves a stale value when the factory fails (staleIfError), and the error otherwise', async () => {
    const { clock, cache } = setup();
    const errors: unknown[] = [];
    cache.on('error', (e) => errors.push(e.error));
    await cache.getOrSet('k', () => 'old', { ttl: '10s', staleIfError: '1m' });
    clock.advance(20_000);
    const failing = async (): Promise<string> => {
      throw new Error('down');
    };
    expect(await cache.getOrSet('k', failing, { ttl: '10s', staleIfError: '1m' })).toBe('old');
    expect(errors).toHaveLength(1);
    clock.advance(60_000);
    await expect(cache.getOrSet('k', failing, { ttl: '10s', staleIfError: '1m' })).rejects.toThrow('down');
  });

  it('serves stale on a timeout with staleIfError', async () => {
    const { clock, cache } = setup();
    await cache.getOrSet('k', () => 'old', { ttl: '1s', staleIfError: '1h' });
    clock.advance(2000);
    const slow = () => new Promise<string>(() => {});
    expect(await cache.getOrSet('k', slow, { timeout: 10, staleIfError: '1h' })).toBe('old');
  });

  it('passes the stale value to the factory', async () => {
    const { clock, cache } = setup();
    await cache.getOrSet('k', () => 'old', { ttl: '1s', staleIfError: '1h' });
    clock.advance(2000);
    expect(await cache.getOrSet('k', (ctx) => `${ctx.staleValue}+new`, { staleIfError: '1h' })).toBe(
      'old+new',
    );
  });

  it('refuses bad options with CACHE_CONFIG before running the factory', async () => {
    const { cache } = setup();
    const factory = vi.fn(() => 'x');
    for (const options of [{ ttl: 0 }, { timeout: -1 }, { staleWhileRevalidate: 'soon' }, { tags: [''] }]) {
      await expect(cache.getOrSet('k', factory, options)).rejects.toBeInstanceOf(CacheConfigError);
    }
    await expect(cache.getOrSet('k', 'nope' as never)).rejects.toBeInstanceOf(CacheConfigError);
    expect(factory).not.toHaveBeenCalled();
  });

  it('takes the backend lock when asked and re-reads after waiting', async () => {
    const calls: string[] = [];
    class LockingCache extends MapCache<string> {
      protected override async acquireLock(key: string, lease: number, wait: number): Promise<LockRelease> {
        calls.push(`lock ${key} ${lease} ${wait}`);
        // Another process wrote the value while this one waited.
        this.entries.set(key, { value: 'from-peer', createdAt: this.now(), expiresAt: undefined, tags: [] });
        return async () => {
          calls.push('release');
        };
      }
    }
    const cache = new LockingCache({ clock: new ManualClock() });
    const factory = vi.fn(() => 'mine');
    expect(await cache.getOrSet('k', factory, { lock: { lease: '5s', wait: '1s' } })).toBe('from-peer');
    expect(factory).not.toHaveBeenCalled();
    expect(calls).toEqual(['lock k 5000 1000', 'release']);
    expect(await cache.getOrSet('j', () => 'x')).toBe('x');
    expect(calls).toHaveLength(2);
  });
});

/** A promise with its resolve and reject functions outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (MapCache and the flights use no timer). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The outcome of a promise, observable without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { status: 'pending' | 'fulfilled' | 'rejected'; value?: T; reason?: unknown } = {
    status: 'pending',
  };
  promise.then(
    (value) => Object.assign(state, { status: 'fulfilled', value }),
    (reason: unknown) => Object.assign(state, { status: 'rejected', reason }),
  );
  return state;
}

describe("getOrSet: each caller's own limits", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A factory that waits for `gate`, counting its runs and keeping its signal. */
  function gated() {
    const gate = deferred<string>();
    const runs: AbortSignal[] = [];
    const factory = (ctx: { signal: AbortSignal }) => {
      runs.push(ctx.signal);
      return gate.promise;
    };
    return { gate, runs, factory };
  }

  it('a joining caller times out on its own limit while the computation goes on for the leader', async () => {
    const { cache } = setup();
    const { gate, runs, factory } = gated();
    const leader = track(cache.getOrSet('k', factory));
    await settle();
    const joiner = track(cache.getOrSet('k', factory, { timeout: 100 }));
    await settle();
    await vi.advanceTimersByTimeAsync(99);
    expect(joiner.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(joiner.status).toBe('rejected');
    expect(joiner.reason).toBeInstanceOf(CacheTimeoutError);
    expect((joiner.reason as CacheTimeoutError).code).toBe('CACHE_TIMEOUT');
    expect((joiner.reason as CacheTimeoutError).key).toBe('k');
    expect(leader.status).toBe('pending');
    expect(runs).toHaveLength(1);
    expect(runs[0]?.aborted).toBe(false);
    gate.resolve('v');
    await settle();
    expect(leader).toMatchObject({ status: 'fulfilled', value: 'v' });
    expect(await cache.get('k')).toBe('v');
    expect(cache.stats.sets).toBe(1);
  });

  it("the leader's timeout fails the leader only: a joiner without a limit gets the value", async () => {
    const { cache } = setup();
    const { gate, runs, factory } = gated();
    const leader = track(cache.getOrSet('k', factory, { timeout: 50 }));
    await settle();
    const joiner = track(cache.getOrSet('k', factory));
    await vi.advanceTimersByTimeAsync(50);
    expect(leader.status).toBe('rejected');
    expect(leader.reason).toBeInstanceOf(CacheTimeoutError);
    expect(joiner.status).toBe('pending');
    expect(runs[0]?.aborted).toBe(false);
    // A third caller joins the same computation rather than starting another.
    const third = track(cache.getOrSet('k', factory, { timeout: 1000 }));
    gate.resolve('v');
    await settle();
    expect(joiner).toMatchObject({ status: 'fulfilled', value: 'v' });
    expect(third).toMatchObject({ status: 'fulfilled', value: 'v' });
    expect(runs).toHaveLength(1);
    expect(await cache.get('k')).toBe('v');
  });

  it('aborts the signal and writes nothing once every caller has timed out; the next call computes anew', async () => {
    const { cache } = setup();
    const { gate, runs, factory } = gated();
    const first = track(cache.getOrSet('k', factory, { timeout: 200 }));
    await settle();
    const second = track(cache.getOrSet('k', factory, { timeout: 20 }));
    await vi.advanceTimersByTimeAsync(20);
    expect(second.status).toBe('rejected');
    expect(first.status).toBe('pending');
    expect(runs[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(180);
    expect(first.status).toBe('rejected');
    expect(first.reason).toBeInstanceOf(CacheTimeoutError);
    expect(runs[0]?.aborted).toBe(true);
    expect(runs[0]?.reason).toBeInstanceOf(CacheTimeoutError);
    gate.resolve('late');
    await settle();
    expect(await cache.has('k')).toBe(false);
    expect(cache.stats.sets).toBe(0);
    expect(await cache.getOrSet('k', () => 'fresh')).toBe('fresh');
    expect(runs).toHaveLength(1);
  });

  it("serves a stale value to the callers whose own staleIfError allows it, the factory's error to the others", async () => {
    const { clock, cache } = setup();
    const errors: unknown[] = [];
    cache.on('error', (e) => errors.push(e.error));
    // Kept past its expiry by the stale window it was written with.
    await cache.getOrSet('k', () => 'old', { ttl: '1s', staleIfError: '1h' });
    clock.advance(2000);
    const failure = new RangeError('down');
    const gate = deferred<string>();
    let calls = 0;
    const factory = () => {
      calls++;
      return gate.promise;
    };
    const withStale = track(cache.getOrSet('k', factory, { staleIfError: '1h' }));
    await settle();
    const without = track(cache.getOrSet('k', factory));
    const alsoStale = track(cache.getOrSet('k', factory, { staleIfError: '10m' }));
    const windowPassed = track(cache.getOrSet('k', factory, { staleIfError: '1s' }));
    await settle();
    gate.reject(failure);
    await settle();
    expect(calls).toBe(1);
    expect(withStale).toMatchObject({ status: 'fulfilled', value: 'old' });
    expect(without).toMatchObject({ status: 'rejected', reason: failure });
    expect(alsoStale).toMatchObject({ status: 'fulfilled', value: 'old' });
    expect(windowPassed).toMatchObject({ status: 'rejected', reason: failure });
    // One error report for the one failed computation.
    expect(errors).toHaveLength(1);
    expect((errors[0] as { cause?: unknown }).cause).toBe(failure);
  });

  it('a leader without staleIfError gets the error while a joiner with it gets the stale value', async () => {
    const { clock, cache } = setup();
    await cache.getOrSet('k', () => 'old', { ttl: '1s', staleIfError: '1h' });
    clock.advance(2000);
    const failure = new Error('down');
    const gate = deferred<string>();
    const factory = () => gate.promise;
    const leader = track(cache.getOrSet('k', factory));
    await settle();
    const joiner = track(cache.getOrSet('k', factory, { staleIfError: '1h' }));
    await settle();
    gate.reject(failure);
    await settle();
    expect(leader).toMatchObject({ status: 'rejected', reason: failure });
    expect(joiner).toMatchObject({ status: 'fulfilled', value: 'old' });
  });

  it('serves a joiner its stale value when its own timeout passes, while the leader gets the new value', async () => {
    const { clock, cache } = setup();
    await cache.getOrSet('k', () => 'old', { ttl: '1s', staleIfError: '1h' });
    clock.advance(2000);
    const { gate, factory } = gated();
    const leader = track(cache.getOrSet('k', factory, { ttl: '1m' }));
    await settle();
    const joiner = track(cache.getOrSet('k', factory, { timeout: 30, staleIfError: '1h' }));
    await vi.advanceTimersByTimeAsync(30);
    expect(joiner).toMatchObject({ status: 'fulfilled', value: 'old' });
    expect(leader.status).toBe('pending');
    gate.resolve('new');
    await settle();
    expect(leader).toMatchObject({ status: 'fulfilled', value: 'new' });
    expect(await cache.get('k')).toBe('new');
  });

  it("does not serve stale for the backend's own errors, even a CacheTimeoutError: only for the factory's", async () => {
    class SlowWrites extends MapCache<string> {
      failWrites = false;
      protected override async writeEntry(key: string, entry: StoredEntry<string>): Promise<void> {
        if (this.failWrites) throw new CacheTimeoutError('command timed out', { key });
        return super.writeEntry(key, entry);
      }
    }
    const clock = new ManualClock();
    const cache = new SlowWrites({ clock });
    await cache.getOrSet('k', () => 'old', { ttl: '1s', staleIfError: '1h' });
    clock.advance(2000);
    cache.failWrites = true;
    const error = await cache.getOrSet('k', () => 'new', { staleIfError: '1h' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheTimeoutError);
    cache.failWrites = false;
    expect(await cache.getOrSet('k', () => 'new', { staleIfError: '1h' })).toBe('new');
  });

  it("bounds a background refresh by its caller's timeout: the signal aborts and the next refresh starts anew", async () => {
    const { clock, cache } = setup();
    const errors: unknown[] = [];
    cache.on('error', (e) => errors.push(e.error));
    await cache.getOrSet('k', () => 'old', { ttl: '1s', staleWhileRevalidate: '1h' });
    clock.advance(2000);
    const { runs, factory } = gated();
    const options = { staleWhileRevalidate: '1h', timeout: 40 };
    expect(await cache.getOrSet('k', factory, options)).toBe('old');
    await vi.advanceTimersByTimeAsync(40);
    expect(runs[0]?.aborted).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CacheTimeoutError);
    expect(await cache.getOrSet('k', () => 'new', options)).toBe('old');
    await settle();
    expect(await cache.get('k')).toBe('new');
  });

  it('waits without a limit for timeout: Infinity', async () => {
    const { cache } = setup();
    const { gate, factory } = gated();
    const caller = track(cache.getOrSet('k', factory, { timeout: Number.POSITIVE_INFINITY }));
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(caller.status).toBe('pending');
    gate.resolve('v');
    await settle();
    expect(caller).toMatchObject({ status: 'fulfilled', value: 'v' });
  });
});

describe('getOrSet: durations beyond what a timer takes', () => {
  it('refuses a timeout, lock.lease or lock.wait above 2^31-1 ms, and an infinite lease, with CACHE_CONFIG', async () => {
    const { cache } = setup();
    const factory = vi.fn(() => 'x');
    for (const options of [
      { timeout: '30d' },
      { timeout: 2 ** 31 },
      { lock: { lease: Number.POSITIVE_INFINITY } },
      { lock: { lease: '25d' } },
      { lock: { wait: Number.POSITIVE_INFINITY } },
      { lock: { wait: 2 ** 31 } },
      { ttl: 1e300 },
      { staleIfError: 1e300 },
      { staleWhileRevalidate: '400000d' },
    ]) {
      const error = await cache.getOrSet('k', factory, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CacheConfigError);
      expect((error as CacheConfigError).code).toBe('CACHE_CONFIG');
    }
    expect(factory).not.toHaveBeenCalled();
    expect(await cache.getOrSet('k', factory, { timeout: 2 ** 31 - 1, lock: { lease: '24d' } })).toBe('x');
  });

  it('refuses lock options that are neither a boolean nor an object', async () => {
    const { cache } = setup();
    for (const lock of [null, 1, 'yes']) {
      const error = await cache.getOrSet('k', () => 'x', { lock: lock as never }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CacheConfigError);
    }
  });
});
