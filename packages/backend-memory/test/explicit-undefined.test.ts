// Options given as `undefined` (`new MemoryCache({ maxEntries: undefined })`, allowed by the types
// under `exactOptionalPropertyTypes`) are accepted and mean the defaults.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryCache } from '../src/index.js';

const open: MemoryCache[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const cache of open.splice(0)) await cache.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('options given as undefined', () => {
  it('are accepted and mean the defaults (unbounded, no sizing)', async () => {
    const cache = new MemoryCache({
      name: undefined,
      defaultTtl: undefined,
      maxKeyBytes: undefined,
      clock: undefined,
      onBackendError: undefined,
      maxEntries: undefined,
      maxBytes: undefined,
      maxEntryBytes: undefined,
      maxEntrySize: undefined,
      sizeOf: undefined,
      policy: undefined,
      serializer: undefined,
      sweepInterval: undefined,
      persist: undefined,
    });
    open.push(cache);
    expect(cache.name).toBe('memory');
    for (let i = 0; i < 1000; i++) cache.setSync(`k${i}`, { i }, { ttl: undefined, tags: undefined });
    expect(cache.size).toBe(1000);
    expect(cache.stats.evictions).toBe(0);
    // By reference (no serializer) and not sized (no limit, no sizeOf).
    const value = { big: 'x'.repeat(10_000) };
    await cache.set('big', value);
    expect(cache.getSync('big')).toBe(value);
    expect(cache.bytes).toBe(0);
    expect((await cache.getEntry('big'))?.expiresAt).toBeUndefined();
  });

  it('inside persist mean the defaults (a snapshot is written on close)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memory-undefined-'));
    dirs.push(dir);
    const path = join(dir, 'snapshot.bin');
    const cache = new MemoryCache({
      persist: { path, interval: undefined, onClose: undefined, maxBytes: undefined },
    });
    await cache.set('a', 1);
    await cache.close();
    expect((await stat(path)).size).toBeGreaterThan(0);
    const reloaded = new MemoryCache({ persist: { path, interval: undefined } });
    open.push(reloaded);
    await expect.poll(() => reloaded.getSync('a')).toBe(1);
  });
});
