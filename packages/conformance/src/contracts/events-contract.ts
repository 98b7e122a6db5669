import { CacheConfigError, CacheErrorCode } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { type Harness, recordEvents } from '../internal/harness.js';

/** Events: exact names and payloads per operation, unsubscribe, throwing listeners. */
export function eventsContract(h: Harness): void {
  describe('events', () => {
    it('emits set, hit, miss, delete and clear with exact payloads', async () => {
      const { cache } = await h.make();
      const recorded = recordEvents(cache);
      await cache.set('a', 1);
      await cache.get('a');
      await cache.get('b');
      expect(await cache.add('a', 2)).toBe(false);
      expect(await cache.add('b', 2)).toBe(true);
      await cache.delete('a');
      await cache.delete('a');
      await cache.getOrThrow('b');
      await cache.getEntry('zz');
      await cache.clear();
      await cache.clear({ prefix: 'p:' });
      expect(recorded.events).toEqual([
        ['set', { key: 'a' }],
        ['hit', { key: 'a' }],
        ['miss', { key: 'b' }],
        ['set', { key: 'b' }],
        ['delete', { key: 'a' }],
        ['hit', { key: 'b' }],
        ['miss', { key: 'zz' }],
        ['clear', { prefix: undefined }],
        ['clear', { prefix: 'p:' }],
      ]);
    });

    it('emits one event per key for getMany and setMany, in order', async () => {
      const { cache } = await h.make();
      const recorded = recordEvents(cache);
      await cache.setMany([
        ['x', 1],
        ['y', 2],
      ]);
      await cache.getMany(['y', 'nope', 'x']);
      expect(recorded.events).toEqual([
        ['set', { key: 'x' }],
        ['set', { key: 'y' }],
        ['hit', { key: 'y' }],
        ['miss', { key: 'nope' }],
        ['hit', { key: 'x' }],
      ]);
    });

    it('emits miss then set for a computing getOrSet, and hit for a cached one', async () => {
      const { cache } = await h.make();
      const recorded = recordEvents(cache);
      await cache.getOrSet('k', () => 1);
      await cache.getOrSet('k', () => 2);
      expect(recorded.events).toEqual([
        ['miss', { key: 'k' }],
        ['set', { key: 'k' }],
        ['hit', { key: 'k' }],
      ]);
    });

    if (h.hasClock) {
      it('emits expire once when a read finds an expired entry', async () => {
        const fx = await h.make();
        await fx.cache.set('k', 1, { ttl: 1000 });
        const recorded = recordEvents(fx.cache, ['expire', 'miss', 'evict']);
        fx.clock!.advance(1000);
        expect(await fx.cache.get('k')).toBeUndefined();
        expect(await fx.cache.get('k')).toBeUndefined();
        expect(recorded.events).toEqual([
          ['expire', { key: 'k' }],
          ['miss', { key: 'k' }],
          ['miss', { key: 'k' }],
        ]);
      });
    }

    it('stops calling a listener after its unsubscribe, and leaves the others', async () => {
      const { cache } = await h.make();
      const first: string[] = [];
      const second: string[] = [];
      const off = cache.on('set', ({ key }) => first.push(key));
      cache.on('set', ({ key }) => second.push(key));
      await cache.set('a', 1);
      off();
      off();
      await cache.set('b', 1);
      expect(first).toEqual(['a']);
      expect(second).toEqual(['a', 'b']);
    });

    it('is not disturbed by a throwing listener', async () => {
      const { cache } = await h.make();
      cache.on('set', () => {
        throw new Error('listener failed');
      });
      cache.on('hit', () => {
        throw new Error('listener failed');
      });
      await cache.set('a', 1);
      expect(await cache.get('a')).toBe(1);
      expect(cache.stats.errors).toBe(0);
    });

    it('refuses an unknown event or a listener that is not a function', async () => {
      const { cache } = await h.make();
      const code = CacheErrorCode.config;
      await expectCacheError(() => cache.on('bogus' as 'set', () => {}), CacheConfigError, code);
      await expectCacheError(() => cache.on('set', 5 as unknown as () => void), CacheConfigError, code);
    });
  });
}
