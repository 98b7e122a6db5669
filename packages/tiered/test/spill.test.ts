import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCache } from '@cache/backend-file';
import { MemoryCache } from '@cache/backend-memory';
import { describeCacheContract } from '@cache/conformance';
import { ManualClock } from '@cache/core';
import { MapCache } from '@cache/test-utils';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MemoryBus, tiered } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'tiered-spill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

describe("mode: 'spill'", () => {
  it('sends entries that L1 evicts down to L2 with their TTL and tags, and promotes them back on read', async () => {
    const clock = new ManualClock();
    const l1 = new MemoryCache({ clock, maxEntries: 2, policy: 'lru' });
    const l2 = new MapCache({ clock });
    const cache = tiered({ l1, l2, mode: 'spill', clock });
    await cache.set('a', 'A', { ttl: 10_000, tags: ['t'] });
    expect(await l2.has('a')).toBe(false);
    await cache.set('b', 'B');
    await cache.set('c', 'C');
    await vi.waitFor(async () => expect(await l2.getEntry('a')).toMatchObject({ value: 'A', tags: ['t'] }));
    expect((await l2.getEntry('a'))?.expiresAt).toBe(clock.now() + 10_000);
    expect(await l1.has('a')).toBe(false);
    expect(await cache.get('a')).toBe('A');
    expect(await l1.get('a')).toBe('A');
    // Promoting 'a' (moved up: it left L2) made room by spilling 'b'.
    expect(await l2.has('a')).toBe(false);
    await vi.waitFor(async () => expect(await l2.get('b')).toBe('B'));
    expect(cache.stats.snapshot()).toMatchObject({ spilled: 2, l2Hits: 1, promotions: 1 });
    // A new write of a key drops its lower copy: an old value is never read back.
    await cache.set('a', 'A2');
    expect(await l2.has('a')).toBe(false);
    await cache.invalidateTags(['t']);
    await cache.close();
  });

  it('refuses an L1 that cannot report evictions, and a bus', () => {
    expect(() => tiered({ l1: new MapCache(), l2: new MapCache(), mode: 'spill' })).toThrow(
      'spill mode needs an L1 that reports its evictions (a MemoryCache)',
    );
    expect(() =>
      tiered({
        l1: new MemoryCache(),
        l2: new MapCache(),
        mode: 'spill',
        bus: new MemoryBus({ channel: 'spill' }),
      }),
    ).toThrow('spill mode takes no bus: it is for one host');
  });
});

describeCacheContract({
  name: "tiered(memory, file, { mode: 'spill' })",
  create: ({ clock, maxKeyBytes, defaultTtl }) => {
    const tier = { ...(clock ? { clock } : {}), ...(maxKeyBytes === undefined ? {} : { maxKeyBytes }) };
    return tiered({
      l1: new MemoryCache({ ...tier, maxEntries: 4, policy: 'lru' }),
      l2: new FileCache({ ...tier, dir: join(root, `contract-${dirs++}`) }),
      mode: 'spill',
      ...(clock ? { clock } : {}),
      ...(maxKeyBytes === undefined ? {} : { maxKeyBytes }),
      ...(defaultTtl === undefined ? {} : { defaultTtl }),
    });
  },
  capabilities: { clock: true },
});
