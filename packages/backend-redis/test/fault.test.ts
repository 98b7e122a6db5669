// The server dies in the middle of a load. It runs with `appendfsync always`, so every write it
// acknowledged is on disk when it is killed: after a restart, every set that resolved must read
// back with its value (nothing reported as written that was not), every operation that failed
// failed with a typed error, no promise hangs, and the same cache instance recovers.
import {
  CacheConnectionError,
  CacheError,
  CacheErrorCode,
  CacheInvalidationError,
  CacheTimeoutError,
} from '@cache/core';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '@cache/redis-launcher';
import { signalRedis } from '@cache/redis-launcher/processes';
import { RedisCache } from '../src/index.js';
import { sleep, track } from './helpers/redis.js';
import { withTimeout } from './support/servers.js';

const WORKERS = 20;
const OPS_PER_WORKER = 400;

describe('server killed under load', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('typed errors, no hung promise, no false success, and recovery', { timeout: 30_000 }, async () => {
    const cache = track(
      new RedisCache<number>({
        url: server.url,
        prefix: uniquePrefix('fault'),
        commandTimeout: 1_000,
        connectTimeout: 500,
      }),
    );
    const written = new Map<string, number>();
    const failed: unknown[] = [];
    let done = 0;
    let killed: Promise<void> | undefined;
    const worker = async (w: number) => {
      for (let i = 0; i < OPS_PER_WORKER; i++) {
        const key = `w${w}:${i}`;
        try {
          if (i % 4 === 3) await cache.setMany([[`${key}:m`, i]]);
          else await cache.set(key, i);
          if (i % 4 === 3) written.set(`${key}:m`, i);
          else written.set(key, i);
        } catch (error) {
          failed.push(error);
        }
        if (++done === 1_500) killed = server.kill();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await killed;
    expect(failed.length).toBeGreaterThan(0);
    expect(written.size).toBeGreaterThan(0);
    for (const error of failed) {
      expect(error).toBeInstanceOf(CacheError);
      expect(error instanceof CacheConnectionError || error instanceof CacheTimeoutError).toBe(true);
    }
    expect(written.size + failed.length).toBe(WORKERS * OPS_PER_WORKER);

    await server.restart();
    for (let attempt = 0; ; attempt++) {
      try {
        await cache.set('after-restart', 1);
        break;
      } catch (error) {
        expect(error).toBeInstanceOf(CacheConnectionError);
        if (attempt > 100) throw error;
        await sleep(50);
      }
    }
    expect(await cache.get('after-restart')).toBe(1);
    const keys = [...written.keys()];
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      expect(await cache.getMany(batch)).toEqual(batch.map((key) => written.get(key)));
    }
  });
});

const PAUSED_TIMEOUT = 300;

/** Every operation of the contract, on keys that exist, with and without tags. */
function everyOperation(cache: RedisCache<number>): Record<string, () => Promise<unknown>> {
  return {
    get: () => cache.get('k'),
    getOrThrow: () => cache.getOrThrow('k'),
    getEntry: () => cache.getEntry('tagged'),
    has: () => cache.has('k'),
    set: () => cache.set('k', 2),
    setTagged: () => cache.set('tagged', 2, { tags: ['t'] }),
    add: () => cache.add('new', 1),
    addTagged: () => cache.add('new-tagged', 1, { tags: ['t'] }),
    delete: () => cache.delete('k'),
    getMany: () => cache.getMany(['k', 'tagged']),
    setMany: () =>
      cache.setMany([
        ['a', 1],
        ['b', 2],
      ]),
    setManyTagged: () => cache.setMany([['a', 1]], { tags: ['t'] }),
    deleteMany: () => cache.deleteMany(['a', 'b']),
    keys: async () => {
      for await (const _ of cache.keys()) break;
    },
    clear: () => cache.clear(),
    clearPrefix: () => cache.clear({ prefix: 'a' }),
    deleteMatching: () => cache.deleteMatching('*'),
    invalidateTags: () => cache.invalidateTags(['t']),
    getOrSet: () => cache.getOrSet('missing', () => 1),
    getOrSetLocked: () => cache.getOrSet('missing', () => 1, { lock: { lease: 1000, wait: 100 } }),
  };
}

/** CACHE_TIMEOUT or CACHE_CONNECTION, or CACHE_INVALIDATION caused by one of them. */
function stoppedStoreError(error: unknown): string | undefined {
  const inner = error instanceof CacheInvalidationError ? error.cause : error;
  if (inner instanceof CacheTimeoutError || inner instanceof CacheConnectionError) {
    return (error as CacheError).code;
  }
  return undefined;
}

describe('server paused with SIGSTOP', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    if (server) signalRedis(server.pid, server.port, 'SIGCONT');
    await server?.stop();
  });

  it('every operation of the contract settles within its timeouts with CACHE_TIMEOUT or CACHE_CONNECTION, and the cache recovers', {
    timeout: 30_000,
  }, async () => {
    const options = {
      url: server.url,
      prefix: uniquePrefix('paused'),
      commandTimeout: PAUSED_TIMEOUT,
      connectTimeout: PAUSED_TIMEOUT,
    };
    const cache = track(new RedisCache<number>(options));
    cache.on('error', () => {});
    await cache.set('k', 1);
    await cache.set('tagged', 1, { tags: ['t'] });
    await cache.invalidateTags(['other']);

    signalRedis(server.pid, server.port, 'SIGSTOP');
    let codes: Record<string, string | undefined>;
    try {
      // A cache made while the server is stopped: its connection never becomes ready.
      const fresh = track(new RedisCache<number>({ ...options }));
      fresh.on('error', () => {});
      const operations = [
        ...Object.entries(everyOperation(cache)),
        ...Object.entries(everyOperation(fresh)).map(([name, run]) => [`fresh ${name}`, run] as const),
      ];
      // Each promise settles on its own: one still pending at 3x the timeouts fails the test.
      const results = await Promise.allSettled(
        operations.map(([, run]) => withTimeout(run(), 3 * PAUSED_TIMEOUT)),
      );
      codes = Object.fromEntries(
        operations.map(([name], i) => {
          const result = results[i] as PromiseSettledResult<unknown>;
          return [name, result.status === 'rejected' ? stoppedStoreError(result.reason) : 'resolved'];
        }),
      );
    } finally {
      signalRedis(server.pid, server.port, 'SIGCONT');
    }
    const expected = (name: string) =>
      name.endsWith('invalidateTags') || name.endsWith('deleteMatching')
        ? [CacheErrorCode.invalidation]
        : [CacheErrorCode.timeout, CacheErrorCode.connection];
    for (const [name, code] of Object.entries(codes)) {
      expect({ name, ok: expected(name).includes(code as never) }).toEqual({ name, ok: true });
    }
    expect(Object.keys(codes)).toHaveLength(40);

    for (let attempt = 0; ; attempt++) {
      try {
        await cache.set('after', 1);
        break;
      } catch (error) {
        expect(stoppedStoreError(error)).toBeDefined();
        if (attempt > 100) throw error;
        await sleep(50);
      }
    }
    expect(await cache.get('after')).toBe(1);
  });
});
