import { CacheConfigError, CacheErrorCode, CacheTimeoutError } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { eventually, type Fixture, type Harness } from '../internal/harness.js';

/** A promise with its settle functions outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The outcome of a promise, readable without awaiting it. */
function track<T>(promise: Promise<T>) {
  const state: { status: 'pending' | 'fulfilled' | 'rejected'; value?: T; reason?: unknown } = {
    status: 'pending',
  };
  promise.then(
    (value) => Object.assign(state, { status: 'fulfilled', value }),
    (reason: unknown) => Object.assign(state, { status: 'rejected', reason }),
  );
  return { state, promise };
}

/** A factory that waits for its gate; `started` resolves at its first run. */
function gatedFactory() {
  const gate = deferred<string>();
  const started = deferred<void>();
  const signals: AbortSignal[] = [];
  const factory = (ctx: { signal: AbortSignal }) => {
    signals.push(ctx.signal);
    started.resolve();
    return gate.promise;
  };
  return { gate, started: started.promise, signals, factory };
}

/** Waits until `n` getOrSet calls have read the cache and joined or started the computation. */
async function joined(fx: Fixture, n: number): Promise<void> {
  expect(await eventually(async () => fx.cache.stats.misses >= n)).toBe(true);
}

/** An expired entry still held for its stale window: manual-clock values, or short real ones. */
async function staleEntry(fx: Fixture, key: string): Promise<void> {
  const ttl = fx.clock ? 1000 : 40;
  await fx.cache.getOrSet(key, () => 'old', { ttl, staleIfError: '1h' });
  await fx.pass(fx.clock ? 1500 : 100);
  fx.cache.stats.reset();
}

/** `getOrSet`: a caller that joins a computation in flight keeps its own timeout and staleIfError. */
export function getOrSetCallersContract(h: Harness): void {
  describe("getOrSet: each caller's own limits", () => {
    it('a joining caller fails on its own timeout while the computation goes on for the leader', async () => {
      const fx = await h.make();
      const { cache } = fx;
      const { gate, started, signals, factory } = gatedFactory();
      const leader = track(cache.getOrSet('k', factory));
      await started;
      const error = await expectCacheError(
        () => cache.getOrSet('k', factory, { timeout: 50 }),
        CacheTimeoutError,
        CacheErrorCode.timeout,
      );
      expect(error.key).toBe('k');
      expect(leader.state.status).toBe('pending');
      expect(signals).toHaveLength(1);
      expect(signals[0]?.aborted).toBe(false);
      gate.resolve('v');
      expect(await leader.promise).toBe('v');
      expect(await cache.get('k')).toBe('v');
      expect(signals).toHaveLength(1);
    });

    it("the leader's timeout fails the leader only: a joiner without one gets the value", async () => {
      const fx = await h.make();
      const { cache } = fx;
      const { gate, started, signals, factory } = gatedFactory();
      const leader = track(cache.getOrSet('k', factory, { timeout: 500 }));
      await started;
      const joiner = track(cache.getOrSet('k', factory));
      await joined(fx, 2);
      await expect(leader.promise).rejects.toBeInstanceOf(CacheTimeoutError);
      expect(joiner.state.status).toBe('pending');
      expect(signals[0]?.aborted).toBe(false);
      gate.resolve('v');
      expect(await joiner.promise).toBe('v');
      expect(signals).toHaveLength(1);
      expect(await cache.get('k')).toBe('v');
    });

    it('serves the stale value only to the callers whose own staleIfError allows it', async () => {
      const fx = await h.make();
      const { cache } = fx;
      await staleEntry(fx, 'k');
      const { gate, started, signals, factory } = gatedFactory();
      const leader = track(cache.getOrSet('k', factory));
      await started;
      const joiner = track(cache.getOrSet('k', factory, { staleIfError: '1h' }));
      await joined(fx, 2);
      const failure = new Error('source down');
      gate.reject(failure);
      await expect(leader.promise).rejects.toBe(failure);
      expect(await joiner.promise).toBe('old');
      expect(signals).toHaveLength(1);
    });

    it('serves a joiner its stale value when its own timeout passes; the leader gets the new value', async () => {
      const fx = await h.make();
      const { cache } = fx;
      await staleEntry(fx, 'k');
      const { gate, started, factory } = gatedFactory();
      const leader = track(cache.getOrSet('k', factory, { ttl: '1h' }));
      await started;
      expect(await cache.getOrSet('k', factory, { timeout: 50, staleIfError: '1h' })).toBe('old');
      expect(leader.state.status).toBe('pending');
      gate.resolve('new');
      expect(await leader.promise).toBe('new');
      expect(await cache.get('k')).toBe('new');
    });

    it('takes timeout: Infinity as no limit, and refuses timers beyond 2^31-1 ms and an infinite lease', async () => {
      const { cache } = await h.make();
      expect(await cache.getOrSet('k', async () => 'v', { timeout: Number.POSITIVE_INFINITY })).toBe('v');
      let runs = 0;
      const factory = () => {
        runs++;
        return 'x';
      };
      for (const options of [
        { timeout: '30d' },
        { timeout: 2 ** 31 },
        { lock: { lease: Number.POSITIVE_INFINITY } },
        { lock: { lease: '25d' } },
        { lock: { wait: Number.POSITIVE_INFINITY } },
        { ttl: 1e300 },
        { staleIfError: 1e300 },
      ]) {
        await expectCacheError(
          () => cache.getOrSet('n', factory, options),
          CacheConfigError,
          CacheErrorCode.config,
        );
      }
      expect(runs).toBe(0);
      expect(await cache.has('n')).toBe(false);
    });
  });
}
