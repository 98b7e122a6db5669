import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hashOf } from '../src/internal/layout.js';
import { makeCache, sibling } from './helpers/setup.js';
import { listTree } from './helpers/temp-dir.js';

async function entryCount(dir: string): Promise<number> {
  return (await listTree(dir)).filter((p) => /^[0-9a-f]{2}\/[0-9a-f]{64}$/.test(p)).length;
}

async function present(cache: { has(key: string): Promise<boolean> }, keys: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const key of keys) if (await cache.has(key)) out.push(key);
  return out;
}

describe('maxEntries', () => {
  test('a small cache is held exactly, evicting the least recently used (reads refresh the stamp)', async () => {
    const { cache, clock, dir } = await makeCache({ maxEntries: 3, touchInterval: 0 });
    const evicted: string[] = [];
    cache.on('evict', ({ key, reason }) => evicted.push(`${key}:${reason}`));
    for (const key of ['a', 'b', 'c']) {
      await cache.set(key, key);
      clock.advance(10);
    }
    expect(await cache.get('a')).toBe('a'); // a is now the most recent
    clock.advance(10);
    await cache.set('d', 'd');
    expect(evicted).toEqual(['b:capacity']);
    expect(await entryCount(dir)).toBe(3);
    clock.advance(10);
    await cache.set('e', 'e');
    expect(evicted).toEqual(['b:capacity', 'c:capacity']);
    expect(await present(cache, ['a', 'b', 'c', 'd', 'e'])).toEqual(['a', 'd', 'e']);
    expect(cache.stats.evictions).toBe(2);
    expect(cache.stats.snapshot()).toMatchObject({
      entries: 3,
      dir,
      evictionsByCause: { capacity: 2, size: 0, expired: 0 },
    });
  });

  test('a large cache evicts to 90% once past the limit, and scans every 10% of the limit written', async () => {
    const { cache, clock, dir } = await makeCache({ maxEntries: 100 });
    for (let i = 0; i < 100; i++) {
      await cache.set(`k${i}`, i);
      clock.advance(1);
    }
    expect(await entryCount(dir)).toBe(100);
    await cache.set('k100', 100);
    // 101 entries is over the limit: the scan after this write evicts the 11 oldest (down to 90%).
    expect(await entryCount(dir)).toBe(90);
    expect(await present(cache, ['k0', 'k10', 'k11', 'k100'])).toEqual(['k11', 'k100']);
    expect(cache.stats.snapshot()).toMatchObject({ entries: 90 });
  });

  test('the limit holds across two instances sharing the folder', async () => {
    const { cache, clock, dir } = await makeCache({ maxEntries: 20 });
    const other = sibling(dir, { clock, maxEntries: 20 });
    for (let i = 0; i < 200; i++) {
      await (i % 2 ? cache : other).set(`k${i}`, i);
      clock.advance(1);
      // Each instance scans every 2 of its own writes: at most 2 × 2 unseen entries over the limit.
      expect(await entryCount(dir)).toBeLessThanOrEqual(20 + 4);
    }
    expect(await cache.has('k199')).toBe(true);
  });
});

describe('maxBytes', () => {
  test('bytes of entry files stay under the limit, oldest first', async () => {
    const { cache, clock, dir } = await makeCache({ maxBytes: 1000 });
    for (let i = 0; i < 20; i++) {
      await cache.set(`k${i}`, 'x'.repeat(100));
      clock.advance(1);
    }
    const snapshot = cache.stats.snapshot();
    expect(snapshot.bytes).toBeLessThanOrEqual(1000);
    const files = await entryCount(dir);
    expect(files).toBe(snapshot.entries);
    expect(await cache.has('k19')).toBe(true);
    expect(await cache.has('k0')).toBe(false);
  });
});

describe('LRU stamps', () => {
  test('the stamp is the file mtime: an old mtime set from outside is evicted first', async () => {
    const { cache, dir } = await makeCache({ maxEntries: 2 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    const hash = hashOf('b');
    await utimes(join(dir, hash.slice(0, 2), hash), 1, 1);
    await cache.set('c', 3);
    expect(await present(cache, ['a', 'b', 'c'])).toEqual(['a', 'c']);
  });

  test.each([1000, '1s'])(
    'a read older than touchInterval (%o) refreshes the stamp; a newer one does not write',
    async (touchInterval) => {
      const { cache, clock, dir } = await makeCache({ touchInterval, maxEntries: 100 });
      await cache.set('a', 1);
      const hash = hashOf('a');
      const path = join(dir, hash.slice(0, 2), hash);
      const { stat } = await import('node:fs/promises');
      const written = (await stat(path)).mtimeMs;
      clock.advance(999);
      await cache.get('a');
      expect((await stat(path)).mtimeMs).toBe(written);
      clock.advance(2);
      await cache.get('a');
      expect(Math.round((await stat(path)).mtimeMs)).toBe(clock.now());
    },
  );

  test('without limits a read never writes the stamp', async () => {
    const { cache, clock, dir } = await makeCache({ touchInterval: 0 });
    await cache.set('a', 1);
    const hash = hashOf('a');
    const { stat } = await import('node:fs/promises');
    const path = join(dir, hash.slice(0, 2), hash);
    const written = (await stat(path)).mtimeMs;
    clock.advance(5000);
    expect(await cache.get('a')).toBe(1);
    expect((await stat(path)).mtimeMs).toBe(written);
  });
});

describe('cleanup and sweep', () => {
  test('cleanup() removes entries past their expiry, and refreshes the counters', async () => {
    const { cache, clock, dir } = await makeCache();
    await cache.set('short', 1, { ttl: 100 });
    await cache.set('long', 2, { ttl: 10_000 });
    await cache.set('forever', 3);
    const expired: string[] = [];
    cache.on('expire', ({ key }) => expired.push(key));
    clock.advance(100);
    expect(await cache.cleanup()).toBe(1);
    expect(expired).toEqual(['short']);
    expect(await entryCount(dir)).toBe(2);
    expect(cache.stats.snapshot()).toMatchObject({ entries: 2, expirations: 1 });
  });

  test('cleanup() removes entries invalidated by a tag', async () => {
    const { cache, clock, dir } = await makeCache();
    await cache.set('a', 1, { tags: ['t'] });
    await cache.set('b', 2);
    clock.advance(1);
    await cache.invalidateTags(['t']);
    expect(await cache.cleanup()).toBe(1);
    expect(await entryCount(dir)).toBe(1);
  });

  test('sweepInterval runs cleanup on an unref()ed timer', async () => {
    const { cache, clock, dir } = await makeCache({ sweepInterval: 20 });
    await cache.set('a', 1, { ttl: 50 });
    // Waits for the event it asserts (the sweep counts the expiration once the file is gone).
    const expired = new Promise<string>((resolve) => cache.on('expire', ({ key }) => resolve(key)));
    clock.advance(50);
    expect(await expired).toBe('a');
    expect(cache.stats.expirations).toBe(1);
    expect(await entryCount(dir)).toBe(0);
  });
});
