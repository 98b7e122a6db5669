// RedisCache on a 3-master Redis Cluster that this file starts itself (tools/redis/launcher.ts)
// on free loopback ports and stops by pid in afterAll: the contract suite, then many-key
// operations across slots, clear() on every master and keys() across masters, checked per
// master with SCAN on a raw client. Both run on the Cluster client the cache creates from
// `cluster`, and on an application's own Cluster client passed as `client`, from each ioredis
// major (test/helpers/majors.ts), all on the one launched cluster.
import { describeCacheContract } from '@cache/conformance';
import type { Duration } from '@cache/core';
import { uniquePrefix } from '@cache/test-utils';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseInfo,
  redisCommand,
  startRedisCluster,
  type RedisAddress,
  type RedisClusterHandle,
} from '@cache/redis-launcher';
import { RedisCache, type RedisCacheOptions, type RedisClientLike } from '../src/index.js';
import { appCluster, disconnectAppClients, MAJORS } from './helpers/majors.js';
import { rawClient, scanNode } from './support/servers.js';
import { escapeMatch } from '../src/internal/patterns.js';

/**
 * Property runs for the contract suite's model test. Each run is a fresh random sequence of
 * operations whose keys land on all three masters, a few ms per run through the cluster client
 * (200 runs took about 2.3 s here, so the default 1000 would add some 10 s on 2 cores while the
 * single-node and sentinel suites run beside it). 200, as in the single-node contract.test.ts, keeps
 * this file near 15 s. CACHE_PROPERTY_RUNS overrides it (read by the suite).
 */
const PROPERTY_RUNS = 200;
/** Property runs on a borrowed Cluster client: the same paths but for who built the client (see contract.test.ts). */
const BORROWED_PROPERTY_RUNS = 100;

let cluster: RedisClusterHandle | undefined;
const opened: RedisCache[] = [];

/** The masters' addresses; the cluster is started in beforeAll, after the tests are registered. */
function nodes(): RedisAddress[] {
  if (!cluster) throw new Error('the Redis Cluster did not start', { cause: startError });
  return cluster.nodes;
}

/** How a variant's caches reach the cluster: their own client, or an application's (one per variant). */
interface Variant {
  name: string;
  connection(): Pick<RedisCacheOptions, 'cluster' | 'client'>;
  propertyRuns: number;
}

const VARIANTS: Variant[] = [
  {
    name: 'its own client',
    connection: () => ({ cluster: { nodes: nodes() } }),
    propertyRuns: PROPERTY_RUNS,
  },
  ...MAJORS.map((major): Variant => {
    let client: RedisClientLike | undefined;
    return {
      name: `an application's ${major.name} Cluster client`,
      connection: () => ({ client: (client ??= appCluster(major, nodes())) }),
      propertyRuns: BORROWED_PROPERTY_RUNS,
    };
  }),
];

function clusterCacheOf(
  prefix: string,
  extra: { defaultTtl?: Duration | undefined; maxKeyBytes?: number | undefined } = {},
  variant: Variant = VARIANTS[0] as Variant,
): RedisCache {
  const cache = new RedisCache({
    ...variant.connection(),
    prefix,
    ...(extra.defaultTtl === undefined ? {} : { defaultTtl: extra.defaultTtl }),
    ...(extra.maxKeyBytes === undefined ? {} : { maxKeyBytes: extra.maxKeyBytes }),
  });
  opened.push(cache);
  return cache;
}

/** The raw entry keys (`<prefix>e:<key>`, see redis-cache.ts) of `prefix` on each master, in the order of `nodes()`. */
function entriesPerMaster(prefix: string): Promise<string[][]> {
  return Promise.all(nodes().map((node) => scanNode(node, `${escapeMatch(prefix)}e:*`)));
}

// A start failure is kept and rethrown by every test (through nodes()), so that each test fails
// on its own rather than being reported as skipped behind a failed hook.
let startError: unknown;

beforeAll(async () => {
  try {
    cluster = await startRedisCluster({ masters: 3 });
  } catch (error) {
    startError = error;
  }
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(opened.map((cache) => cache.close()));
  disconnectAppClients();
  const servers = cluster?.servers ?? [];
  await cluster?.stop();
  cluster = undefined;
  // Nothing this file started is left running.
  expect(servers.filter((server) => server.isRunning()).map((server) => server.pid)).toEqual([]);
});

describe('the launched cluster', () => {
  it('has 3 masters, each owning slots, all 16384 slots covered and ok on every node', async () => {
    expect(nodes()).toHaveLength(3);
    for (const node of nodes()) {
      const info = parseInfo(String(await redisCommand(node.port, ['CLUSTER', 'INFO'])));
      expect(info.get('cluster_state')).toBe('ok');
      expect(info.get('cluster_slots_ok')).toBe('16384');
      expect(info.get('cluster_size')).toBe('3');
    }
    const slots = (await redisCommand(nodes()[0]!.port, ['CLUSTER', 'SLOTS'])) as [
      number,
      number,
      [string, number],
    ][];
    const owners = new Set(slots.map((range) => range[2][1]));
    expect([...owners].sort()).toEqual(
      nodes()
        .map((node) => node.port)
        .sort(),
    );
    expect(slots.reduce((sum, [from, to]) => sum + (to - from + 1), 0)).toBe(16384);
  });
});

for (const variant of VARIANTS) {
  describeCacheContract({
    name: `RedisCache on a 3-master cluster, ${variant.name}`,
    create: ({ defaultTtl, maxKeyBytes }) =>
      clusterCacheOf(uniquePrefix('contract'), { defaultTtl, maxKeyBytes }, variant),
    capabilities: { clock: false, propertyRuns: variant.propertyRuns },
  });
}

describe.each(VARIANTS)('RedisCache on a cluster, $name: keys spread over every master', (variant) => {
  const clusterCache = (prefix: string): RedisCache => clusterCacheOf(prefix, {}, variant);
  const count = 90;
  const keys = Array.from({ length: count }, (_, i) => `item:${i}`);

  it('getMany keeps the caller order and the misses across slots', async () => {
    const prefix = uniquePrefix('cluster-get');
    const cache = clusterCache(prefix);
    const stored = keys.filter((_, i) => i % 3 !== 0);
    await cache.setMany(stored.map((key) => [key, { key, n: key.length }]));

    const perMaster = await entriesPerMaster(prefix);
    for (const onNode of perMaster) expect(onNode.length).toBeGreaterThan(0);
    expect(perMaster.flat().sort()).toEqual(stored.map((key) => `${prefix}e:${key}`).sort());

    const asked = [...keys].reverse().concat(['missing:1', 'item:1', 'item:1', 'missing:2']);
    const values = await cache.getMany(asked);
    expect(values).toHaveLength(asked.length);
    expect(values).toEqual(asked.map((key) => (stored.includes(key) ? { key, n: key.length } : undefined)));
    expect(await cache.getMany([])).toEqual([]);
  });

  it('deleteMany counts only the keys that existed, on every master', async () => {
    const cache = clusterCache(uniquePrefix('cluster-delete'));
    await cache.setMany(keys.map((key, i) => [key, i]));
    const doomed = keys.filter((_, i) => i % 2 === 0);
    expect(await cache.deleteMany([...doomed, 'missing:1', 'missing:2'])).toBe(doomed.length);
    expect(await cache.deleteMany(doomed)).toBe(0);
    expect(await cache.getMany(keys)).toEqual(keys.map((_, i) => (i % 2 === 0 ? undefined : i)));
  });

  it('setMany applies its ttl on every master', async () => {
    const prefix = uniquePrefix('cluster-ttl');
    const cache = clusterCache(prefix);
    await cache.setMany(
      keys.map((key) => [key, 'v']),
      { ttl: 60_000 },
    );
    for (const [index, onNode] of (await entriesPerMaster(prefix)).entries()) {
      const client = rawClient(nodes()[index]!);
      try {
        expect(onNode.length).toBeGreaterThan(0);
        for (const raw of onNode) {
          const pttl = await client.pttl(raw);
          expect(pttl).toBeGreaterThan(0);
          expect(pttl).toBeLessThanOrEqual(60_000);
        }
      } finally {
        client.disconnect();
      }
    }
  });

  it('keys() lists every key of every master exactly once', async () => {
    const cache = clusterCache(uniquePrefix('cluster-keys'));
    await cache.setMany(keys.map((key) => [key, 1]));
    await cache.setMany(['user:1', 'user:2', 'user:3'].map((key) => [key, 2]));
    const listed: string[] = [];
    for await (const key of cache.keys()) listed.push(key);
    expect(listed.sort()).toEqual([...keys, 'user:1', 'user:2', 'user:3'].sort());
    const users: string[] = [];
    for await (const key of cache.keys({ prefix: 'user:' })) users.push(key);
    expect(users.sort()).toEqual(['user:1', 'user:2', 'user:3']);
  });

  it('clear() empties its prefix on every master and leaves other prefixes and applications alone', async () => {
    const stem = uniquePrefix('cluster-clear');
    // A glob character in the prefix: unescaped, `<stem>*:*` would also match the sibling's keys.
    const prefix = `${stem}*:`;
    const sibling = `${stem}other:`;
    const cache = clusterCache(prefix);
    const neighbour = clusterCache(sibling);
    await cache.setMany(keys.map((key) => [key, 'mine']));
    await neighbour.setMany(keys.map((key) => [key, 'theirs']));
    // Another application's plain keys on the same cluster, written by a slot-aware raw client.
    const foreign = keys.map((key) => `${stem}foreign-app:${key}`);
    const raw = new Cluster(nodes(), { enableOfflineQueue: true, redisOptions: { connectTimeout: 2000 } });
    try {
      await Promise.all(foreign.map((key) => raw.set(key, 'keep')));

      const before = await entriesPerMaster(prefix);
      for (const onNode of before) expect(onNode.length).toBeGreaterThan(0);
      const siblingBefore = await entriesPerMaster(sibling);

      await cache.clear();

      // Nothing at all is left under the prefix (entries, tags, locks) on any master.
      for (const node of nodes()) expect(await scanNode(node, `${escapeMatch(prefix)}*`)).toEqual([]);
      expect(await entriesPerMaster(sibling)).toEqual(siblingBefore);
      expect(await neighbour.getMany(keys)).toEqual(keys.map(() => 'theirs'));
      expect(await cache.getMany(keys)).toEqual(keys.map(() => undefined));
      expect(await Promise.all(foreign.map((key) => raw.get(key)))).toEqual(foreign.map(() => 'keep'));
    } finally {
      await Promise.allSettled(foreign.map((key) => raw.del(key)));
      raw.disconnect();
    }
  });

  it('clear({ prefix }) removes only that part of the cache, on every master', async () => {
    const prefix = uniquePrefix('cluster-clear-part');
    const cache = clusterCache(prefix);
    const sessions = keys.map((key) => `session:${key}`);
    await cache.setMany(keys.map((key) => [key, 1]));
    await cache.setMany(sessions.map((key) => [key, 2]));
    await cache.clear({ prefix: 'session:' });
    expect(await cache.getMany(sessions)).toEqual(sessions.map(() => undefined));
    expect(await cache.getMany(keys)).toEqual(keys.map(() => 1));
  });
});

describe.each(MAJORS)("RedisCache on an application's $name Cluster client with a keyPrefix", (major) => {
  it('writes under keyPrefix + prefix on every master; keys(), deleteMatching() and clear() find them there', async () => {
    const keyPrefix = 'app:';
    const prefix = uniquePrefix('cluster-key-prefix');
    const cache = new RedisCache({ client: appCluster(major, nodes(), { keyPrefix }), prefix });
    opened.push(cache);
    const keys = Array.from({ length: 30 }, (_, i) => `item:${i}`);
    await cache.setMany(keys.map((key, i) => [key, i]));
    await cache.set('tagged', 't', { tags: ['tg'] });
    const perMaster = await Promise.all(
      nodes().map((node) => scanNode(node, `${keyPrefix}${escapeMatch(prefix)}e:*`)),
    );
    for (const onNode of perMaster) expect(onNode.length).toBeGreaterThan(0);
    expect(perMaster.flat().sort()).toEqual(
      [...keys, 'tagged'].map((key) => `${keyPrefix}${prefix}e:${key}`).sort(),
    );

    const listed: string[] = [];
    for await (const key of cache.keys()) listed.push(key);
    expect(listed.sort()).toEqual([...keys, 'tagged'].sort());
    await cache.invalidateTags(['tg']);
    expect(await cache.get('tagged')).toBeUndefined();
    expect(await cache.deleteMatching('item:1*')).toBe(11);
    await cache.clear();
    // Entries and tag records are gone (the tag clock record stays, as clear() leaves it).
    for (const node of nodes())
      expect(await scanNode(node, `${keyPrefix}${escapeMatch(prefix)}[et]:*`)).toEqual([]);
  });
});
