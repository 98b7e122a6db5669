import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheManager, createCache } from '@cache/core';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus, TieredCache } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tiered-create-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createCache({ backend: 'tiered' })", () => {
  it('creates the tiers from URLs and configurations, and closes them with the cache', async () => {
    const bus = new MemoryBus({ channel: 'create-cache' });
    const cache = await createCache({
      backend: 'tiered',
      name: 'pages',
      l1: 'memory://?maxEntries=100',
      l2: { backend: 'file', dir: join(dir, 'l2') },
      bus,
      l1MaxTtl: '1m',
    });
    expect(cache).toBeInstanceOf(TieredCache);
    const tieredCache = cache as TieredCache;
    expect(cache.name).toBe('pages');
    await cache.set('k', { when: new Date(0) });
    expect(await tieredCache.l2.get('k')).toEqual({ when: new Date(0) });
    expect(await cache.get('k')).toEqual({ when: new Date(0) });
    await cache.close();
    await expect(tieredCache.l1.get('k')).rejects.toMatchObject({ code: 'CACHE_CONFIG' });
    await expect(tieredCache.l2.get('k')).rejects.toMatchObject({ code: 'CACHE_CONFIG' });
  });

  it('works through CacheManager, and refuses a missing tier or a bad bus', async () => {
    const caches = new CacheManager({
      local: { backend: 'tiered', l1: 'memory://', l2: { backend: 'memory', maxEntries: 10 } },
    });
    const local = await caches.get('local');
    expect(local.name).toBe('local');
    expect(await local.getOrSet('n', () => 42)).toBe(42);
    await caches.close();
    await expect(createCache({ backend: 'tiered', l1: 'memory://' } as never)).rejects.toMatchObject({
      code: 'CACHE_CONFIG',
    });
    await expect(
      createCache({ backend: 'tiered', l1: 'memory://', l2: 'memory://', bus: 'nats://x' }),
    ).rejects.toMatchObject({ code: 'CACHE_CONFIG', message: 'bus must be a redis:// URL or a CacheBus' });
  });
});
