import { CacheError, CacheErrorCode } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { eventually, type Fixture, type Harness, recordEvents } from '../internal/harness.js';

/** Windows and waits: manual-clock values, or short real ones. */
function windows(fx: Fixture): { ttl: number; window: number; intoWindow: number; pastWindow: number } {
  return fx.clock
    ? { ttl: 1000, window: 5000, intoWindow: 1500, pastWindow: 6000 }
    : { ttl: 40, window: 10_000, intoWindow: 100, pastWindow: 0 };
}

/** `getOrSet` with `staleWhileRevalidate` and `staleIfError`. */
export function staleContract(h: Harness): void {
  describe('getOrSet stale windows', () => {
    it('staleWhileRevalidate serves the expired value while exactly one background refresh runs', async () => {
      const fx = await h.make();
      const { ttl, window, intoWindow } = windows(fx);
      const { cache } = fx;
      expect(await cache.getOrSet('k', () => 'v1', { ttl, staleWhileRevalidate: window })).toBe('v1');
      await fx.pass(intoWindow);
      expect(await cache.get('k')).toBeUndefined();
      let release!: (value: string) => void;
      const gate = new Promise<string>((resolve) => {
        release = resolve;
      });
      const seen: unknown[] = [];
      const refresh = (ctx: { key: string; staleValue: unknown }) => {
        seen.push([ctx.key, ctx.staleValue]);
        return gate;
      };
      const options = { ttl: '1h', staleWhileRevalidate: window };
      const served = await Promise.all([1, 2, 3].map(() => cache.getOrSet('k', refresh, options)));
      expect(served).toEqual(['v1', 'v1', 'v1']);
      expect(seen).toEqual([['k', 'v1']]);
      release('v2');
      expect(await eventually(async () => (await cache.get('k')) === 'v2')).toBe(true);
      expect(await cache.getOrSet('k', () => 'v3', options)).toBe('v2');
      expect(seen).toHaveLength(1);
    });

    it('staleWhileRevalidate reports a failed background refresh as an error event and keeps serving', async () => {
      const fx = await h.make();
      const { ttl, window, intoWindow } = windows(fx);
      const { cache } = fx;
      await cache.getOrSet('k', () => 'v1', { ttl, staleWhileRevalidate: window });
      await fx.pass(intoWindow);
      const recorded = recordEvents(cache, ['error']);
      const failure = new Error('refresh failed');
      expect(
        await cache.getOrSet(
          'k',
          () => {
            throw failure;
          },
          { ttl, staleWhileRevalidate: window },
        ),
      ).toBe('v1');
      expect(await eventually(async () => recorded.events.length === 1)).toBe(true);
      const [name, payload] = recorded.events[0] as [string, { error: CacheError; key?: string }];
      expect(name).toBe('error');
      expect(payload.key).toBe('k');
      expect(payload.error).toBeInstanceOf(CacheError);
      expect(payload.error.code).toBe(CacheErrorCode.error);
      expect(payload.error.cause).toBe(failure);
      expect(cache.stats.errors).toBe(1);
      expect(await cache.getOrSet('k', () => 'v2', { ttl: '1h', staleWhileRevalidate: window })).toBe('v1');
      expect(await eventually(async () => (await cache.get('k')) === 'v2')).toBe(true);
    });

    it('does not serve a value past its staleWhileRevalidate window', async () => {
      const fx = await h.make();
      const { cache } = fx;
      const ttl = fx.clock ? 1000 : 30;
      const window = fx.clock ? 5000 : 30;
      await cache.getOrSet('k', () => 'v1', { ttl, staleWhileRevalidate: window });
      await fx.pass(fx.clock ? ttl + window : 120);
      expect(await cache.getOrSet('k', () => 'v2', { ttl, staleWhileRevalidate: window })).toBe('v2');
    });

    it('staleIfError serves the expired value when the factory throws or times out, and reports it', async () => {
      const fx = await h.make();
      const { ttl, window, intoWindow } = windows(fx);
      const { cache } = fx;
      const options = { ttl, staleIfError: window };
      await cache.getOrSet('k', () => 'v1', options);
      await fx.pass(intoWindow);
      const recorded = recordEvents(cache, ['error', 'set']);
      const failure = new Error('down');
      const failing = () => {
        throw failure;
      };
      expect(await cache.getOrSet('k', failing, options)).toBe('v1');
      const never = () => new Promise<string>(() => {});
      expect(await cache.getOrSet('k', never, { ...options, timeout: 20 })).toBe('v1');
      expect(cache.stats.errors).toBe(2);
      expect(recorded.events.map(([name]) => name)).toEqual(['error', 'error']);
      const first = recorded.events[0]?.[1] as { error: CacheError; key?: string };
      expect(first.key).toBe('k');
      expect(first.error).toBeInstanceOf(CacheError);
      expect(first.error.cause).toBe(failure);
      const second = recorded.events[1]?.[1] as { error: CacheError; key?: string };
      expect(second.error.code).toBe(CacheErrorCode.timeout);
      expect(await cache.has('k')).toBe(false);
      expect(await cache.getOrSet('k', () => 'v2', { ...options, ttl: '1h' })).toBe('v2');
      expect(await cache.get('k')).toBe('v2');
    });

    it('staleIfError lets the factory error through past the window, unchanged', async () => {
      const fx = await h.make();
      const { cache } = fx;
      const ttl = fx.clock ? 1000 : 30;
      const window = fx.clock ? 5000 : 30;
      await cache.getOrSet('k', () => 'v1', { ttl, staleIfError: window });
      await fx.pass(fx.clock ? ttl + window : 120);
      const failure = new Error('down');
      await expect(
        cache.getOrSet(
          'k',
          () => {
            throw failure;
          },
          { ttl, staleIfError: window },
        ),
      ).rejects.toBe(failure);
      expect(await cache.has('k')).toBe(false);
    });
  });
}
