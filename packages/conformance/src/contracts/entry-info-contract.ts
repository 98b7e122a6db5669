import { describe, expect, it } from 'vitest';
import type { Harness } from '../internal/harness.js';

/** `getEntry`: key, value, times and tags; `size`, `hits`, `lastAccessAt` where declared. */
export function entryInfoContract(h: Harness): void {
  const info = h.options.capabilities?.entryInfo ?? {};
  describe('getEntry', () => {
    it('reports key, value, createdAt, expiresAt and tags', async () => {
      const fx = await h.make();
      const before = fx.now();
      await fx.cache.set('k', { v: 1 }, { ttl: '1m', tags: ['a', 'b'] });
      const after = fx.now();
      const entry = await fx.cache.getEntry('k');
      expect(entry).toMatchObject({ key: 'k', value: { v: 1 }, tags: ['a', 'b'] });
      const createdAt = entry?.createdAt ?? Number.NaN;
      if (fx.clock) expect(createdAt).toBe(fx.clock.now());
      else expect(createdAt >= before && createdAt <= after).toBe(true);
      expect(entry?.expiresAt).toBe(createdAt + 60_000);
      expect(await fx.cache.getEntry('missing')).toBeUndefined();
      expect(fx.cache.stats.snapshot()).toMatchObject({ hits: 1, misses: 1 });
    });

    if (info.size) {
      it('reports a size in bytes that grows with the value', async () => {
        const { cache } = await h.make();
        await cache.set('small', 'x');
        await cache.set('large', 'x'.repeat(10_000));
        const small = (await cache.getEntry('small'))?.size ?? Number.NaN;
        const large = (await cache.getEntry('large'))?.size ?? Number.NaN;
        expect(Number.isInteger(small) && small > 0).toBe(true);
        expect(large - small >= 9_999).toBe(true);
      });
    }

    if (info.hits) {
      it('counts the reads that found the entry', async () => {
        const { cache } = await h.make();
        await cache.set('k', 1);
        const first = (await cache.getEntry('k'))?.hits ?? Number.NaN;
        expect(first === 0 || first === 1).toBe(true);
        await cache.get('k');
        await cache.getMany(['k', 'other']);
        await cache.get('other');
        const second = (await cache.getEntry('k'))?.hits ?? Number.NaN;
        expect(second - first).toBe(3);
        await cache.set('k', 2);
        expect((await cache.getEntry('k'))?.hits).toBe(first);
      });
    }

    if (info.lastAccessAt) {
      it('records the time of the last read', async () => {
        const fx = await h.make();
        await fx.cache.set('k', 1);
        await fx.pass(fx.clock ? 1000 : 5);
        const before = fx.now();
        await fx.cache.get('k');
        const after = fx.now();
        const at = (await fx.cache.getEntry('k'))?.lastAccessAt ?? Number.NaN;
        if (fx.clock) expect(at).toBe(fx.clock.now());
        else expect(at >= before && at <= after + 50).toBe(true);
      });
    }
  });
}
