// A 3-master Cluster (started here from tools/redis, stopped by pid) loses one master to SIGKILL.
// Every call of the contract settles with a typed error (CacheConnectionError or CacheTimeoutError,
// never a raw MOVED/CLUSTERDOWN CacheError) or succeeds for the slots of the live masters, and each
// settles within the command timeout: the cluster client's own deadline rejects the command,
// whatever redirections ioredis follows (a call still pending at 3x the timeout fails the test).
// Tagged writes and invalidations, which take a stamp from the server-time clock first, too.
import { CacheConnectionError, CacheError, CacheInvalidationError, CacheTimeoutError } from '@cache/core';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisClusterHandle, startRedisCluster } from '@cache/redis-launcher';
import { RedisCache } from '../src/index.js';
import { withTimeout } from './support/servers.js';

const COMMAND_TIMEOUT = 500;
const CONNECT_TIMEOUT = 500;
const KEYS = 24;

let cluster: RedisClusterHandle | undefined;
let startError: unknown;

beforeAll(async () => {
  try {
    cluster = await startRedisCluster({ masters: 3 });
  } catch (error) {
    startError = error;
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Whether an error is one of the typed errors a dead master may cause. */
function typed(error: unknown): boolean {
  const inner = error instanceof CacheInvalidationError ? error.cause : error;
  return inner instanceof CacheConnectionError || inner instanceof CacheTimeoutError;
}

describe('a Cluster with a dead master', () => {
  it('answers every call with a value or a typed error, each within the command timeout', {
    timeout: 60_000,
  }, async () => {
    if (!cluster) throw new Error('the Redis Cluster did not start', { cause: startError });
    const cache = new RedisCache<number>({
      cluster: { nodes: cluster.nodes },
      prefix: uniquePrefix('cluster-fault'),
      commandTimeout: COMMAND_TIMEOUT,
      connectTimeout: CONNECT_TIMEOUT,
    });
    cache.on('error', () => {});
    try {
      const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);
      await cache.setMany(keys.map((key, i) => [key, i] as const));
      await cache.set('tagged', 1, { tags: ['t'] });
      await cluster.servers[1]?.kill();

      const calls: (() => Promise<unknown>)[] = [];
      for (const key of keys) {
        calls.push(
          () => cache.get(key),
          () => cache.set(key, 1),
          () => cache.add(`${key}:new`, 1),
          () => cache.delete(`${key}:gone`),
          () => cache.has(key),
          () => cache.set(`${key}:t`, 1, { tags: ['t'] }),
        );
      }
      calls.push(
        () => cache.getMany(keys),
        () => cache.setMany(keys.map((key) => [key, 2] as const)),
        () => cache.deleteMany(keys.map((key) => `${key}:gone`)),
        () => cache.clear({ prefix: 'nothing-here' }),
        async () => {
          for await (const _ of cache.keys()) break;
        },
        () => cache.deleteMatching('nothing-*'),
        () => cache.invalidateTags(['t']),
        () => cache.getOrSet('lock', () => 1, { lock: { lease: 1000, wait: 100 } }),
      );
      const bound = 3 * COMMAND_TIMEOUT;
      const results = await Promise.allSettled(calls.map((call) => withTimeout(call(), bound)));
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      const untyped = failures.filter((error) => !typed(error));
      expect(untyped).toEqual([]);
      for (const error of failures) expect(error).toBeInstanceOf(CacheError);
      // A third of the slots is gone: some calls fail, the others work.
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.length).toBeLessThan(calls.length);
    } finally {
      await cache.close();
    }
  });
});
