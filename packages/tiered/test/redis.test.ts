// tiered(memory, Redis) with a RedisBus on the server at REDIS_URL: the contract suite, and the
// fleet's coherence through real pub/sub and through Redis's own invalidations (tracking mode).
import { MemoryCache } from '@cache/backend-memory';
import { RedisBus, RedisCache } from '@cache/backend-redis';
import { describeCacheContract } from '@cache/conformance';
import { uniquePrefix } from '@cache/test-utils';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type TieredCache, tiered } from '../src/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((c) => c.close()));
});

describeCacheContract({
  name: 'tiered(memory, redis) with a RedisBus',
  create: ({ maxKeyBytes, defaultTtl }) => {
    const prefix = uniquePrefix('tiered');
    const keys = maxKeyBytes === undefined ? {} : { maxKeyBytes };
    return tiered({
      l1: new MemoryCache({ ...keys, maxEntries: 1000 }),
      // A generous command timeout: under a loaded machine a timeout would degrade to L1 (by design).
      l2: new RedisCache({ ...keys, url: REDIS_URL, prefix, commandTimeout: 10_000 }),
      bus: new RedisBus({ url: REDIS_URL, channel: prefix }),
      ...keys,
      ...(defaultTtl === undefined ? {} : { defaultTtl }),
    });
  },
  capabilities: { propertyRuns: 100 },
});

/** `n` instances on one prefix and channel, as n services of a fleet would be. */
async function fleet(n: number, mode: 'pubsub' | 'tracking' = 'pubsub', publishWrites = true) {
  const prefix = uniquePrefix('fleet');
  const members = await Promise.all(
    Array.from({ length: n }, async () => {
      const client = new Redis(REDIS_URL);
      const l1 = new MemoryCache();
      const l2 = new RedisCache({ client, prefix });
      const bus = new RedisBus(
        mode === 'tracking'
          ? { client, mode, prefix, channel: prefix, publishWrites }
          : { url: REDIS_URL, channel: prefix },
      );
      const cache = tiered({ l1, l2, bus });
      open.push({
        close: async () => {
          await cache.close();
          client.disconnect();
        },
      });
      await waitFor(() => bus.connected);
      return { cache: cache as TieredCache, l1 };
    }),
  );
  return { prefix, members };
}

function received(member: { cache: TieredCache }): number {
  return member.cache.stats.snapshot().busReceived as number;
}

/** Resolves when `condition` holds, checked on each of the L1's events and on a bounded poll. */
async function waitFor(condition: () => boolean | Promise<boolean>, limit = 5_000): Promise<void> {
  const until = Date.now() + limit;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a fleet on Redis', () => {
  it("drops the other instances' L1 copies when one writes", async () => {
    const { members } = await fleet(3);
    const [a, b, c] = members as [(typeof members)[0], (typeof members)[0], (typeof members)[0]];
    await a.cache.set('k', { v: 1 });
    // The message of that write reaches b and c (it would drop a copy they made before it).
    await waitFor(() => received(b) === 1 && received(c) === 1);
    expect(await b.cache.get('k')).toEqual({ v: 1 });
    expect(await c.cache.get('k')).toEqual({ v: 1 });
    expect(await b.l1.has('k')).toBe(true);
    await a.cache.set('k', { v: 2 });
    await waitFor(async () => !(await b.l1.has('k')) && !(await c.l1.has('k')));
    expect(await b.cache.get('k')).toEqual({ v: 2 });
    await c.cache.invalidateTags(['none']);
    await b.cache.clear();
    await waitFor(async () => !(await a.l1.has('k')));
    expect(await a.cache.get('k')).toBeUndefined();
  });

  it('empties L1 after its bus connection is killed and comes back', async () => {
    const { members, prefix } = await fleet(2);
    const [a] = members as [(typeof members)[0]];
    await a.cache.set('k', 1);
    expect(await a.l1.has('k')).toBe(true);
    const admin = new Redis(REDIS_URL);
    try {
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    } finally {
      admin.disconnect();
    }
    await waitFor(() => (a.cache as TieredCache).stats.snapshot().l1Flushes === 1);
    expect(await a.l1.has('k')).toBe(false);
    expect(await a.cache.get('k')).toBe(1);
    expect(prefix).toBeTruthy();
  });

  it('drops an L1 copy when something outside the toolkit writes the key (tracking mode)', async () => {
    const { members, prefix } = await fleet(2, 'tracking');
    const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
    await a.cache.set('k', 'v');
    // b hears of that write twice: a's message, and Redis's own report of the write.
    await waitFor(() => received(b) === 2);
    expect(await b.cache.get('k')).toBe('v');
    expect(await b.l1.has('k')).toBe(true);
    const outside = new Redis(REDIS_URL);
    try {
      await outside.set(`${prefix}e:k`, 'written by redis-cli');
    } finally {
      outside.disconnect();
    }
    await waitFor(async () => !(await a.l1.has('k')) && !(await b.l1.has('k')));
  });

  it('tracking mode with publishWrites: false: Redis alone tells the others of a write', async () => {
    const { members } = await fleet(2, 'tracking', false);
    const [a, b] = members as [(typeof members)[0], (typeof members)[0]];
    await a.cache.set('k', 'v1');
    await waitFor(() => received(b) === 1);
    expect(await b.cache.get('k')).toBe('v1');
    expect(await b.l1.has('k')).toBe(true);
    await a.cache.set('k', 'v2');
    await waitFor(async () => !(await b.l1.has('k')));
    expect(await b.cache.get('k')).toBe('v2');
    await b.cache.delete('k');
    await waitFor(async () => !(await a.l1.has('k')));
    expect(await a.cache.get('k')).toBeUndefined();
    // Writes of entries send no message; tag invalidations still do.
    expect(a.cache.stats.snapshot().busPublished).toBe(0);
    await a.cache.invalidateTags(['t']);
    expect(a.cache.stats.snapshot().busPublished).toBe(1);
  });
});
