import { ManualClock, MapCache } from '@cache/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { CacheConfigError, CacheTimeoutError, type LockRelease } from '../src/index.js';

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
    const factory = vi.fn(() => new Promise<string>((r) => (release = r)));
    const calls = Array.from({ length: 10 }, () => cache.getOrSet('k', factory));
    await Promise.resolve();
    await Promise.resolve();
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
