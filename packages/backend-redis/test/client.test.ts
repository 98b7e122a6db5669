// The application's own ioredis client passed as `client`, from ioredis 6 and from ioredis 5
// (test/helpers/majors.ts): everything the cache does works end to end on it, with and without a
// `keyPrefix`; the client stays the application's (close() leaves it open); and an object that is
// not an ioredis client is refused with CACHE_CONFIG naming what it lacks. The cluster side is in
// cluster.test.ts, which runs its contract suite on both majors' Cluster clients.
import { CacheConfigError, CacheErrorCode } from '@cache/core';
import { collectSorted, uniquePrefix } from '@cache/test-utils';
import { Redis as Redis6 } from 'ioredis';
import { Redis as Redis5 } from 'ioredis5';
import { describe, expect, it, vi } from 'vitest';
import { RedisBus, type RedisBusOptions, RedisCache, type RedisCacheOptions } from '../src/index.js';
import { appRedis, INSTALLED_IS_5, MAJORS } from './helpers/majors.js';
import { escapeMatch } from '../src/internal/patterns.js';
import { REDIS_URL, rawRedis, scanAll, track } from './helpers/redis.js';

/** A promise and the function that resolves it. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

it('runs with the majors it should; the clients the cache makes are of the ioredis it loads', () => {
  expect(MAJORS.map((major) => major.name)).toEqual(
    INSTALLED_IS_5 ? ['ioredis 5'] : ['ioredis 6', 'ioredis 5'],
  );
  const cache = track(
    new RedisCache({ url: REDIS_URL, prefix: uniquePrefix('own'), redisOptions: { lazyConnect: true } }),
  );
  // (With ioredis 5 as `ioredis`, both names are its Redis.)
  expect(cache.client).toBeInstanceOf(INSTALLED_IS_5 ? Redis5 : Redis6);
  if (!INSTALLED_IS_5) expect(cache.client).not.toBeInstanceOf(Redis5);
});

describe.each(MAJORS)('an application client of $name passed as client', (major) => {
  for (const keyPrefix of ['', 'app{x}:']) {
    const label = keyPrefix === '' ? 'no keyPrefix' : `keyPrefix ${keyPrefix}`;

    it(`set/get/getOrSet with a lock/invalidateTags/keys/deleteMatching/clear (${label})`, async () => {
      const client = appRedis(major, keyPrefix === '' ? {} : { keyPrefix });
      const prefix = uniquePrefix('app-client');
      const a = track(new RedisCache<unknown>({ client, prefix }));
      const raw = rawRedis();
      track({
        close: async () =>
          void (await raw.unlink(...(await scanAll(raw, `${escapeMatch(keyPrefix + prefix)}*`)), 'none')),
      });

      await a.set('plain', { n: 1 });
      await a.set('tagged', 'v', { tags: ['t1'], ttl: '1m' });
      await a.setMany([
        ['user:1', 1],
        ['user:2', 2],
        ['session:1', 's'],
      ]);
      expect(await a.get('plain')).toEqual({ n: 1 });
      expect(await a.getMany(['user:1', 'missing', 'user:2', 'tagged'])).toEqual([1, undefined, 2, 'v']);
      // Everything sits under the client's keyPrefix, then the cache's prefix.
      expect(await scanAll(raw, `${escapeMatch(keyPrefix + prefix)}e:*`)).toEqual(
        ['plain', 'session:1', 'tagged', 'user:1', 'user:2'].map((key) => `${keyPrefix}${prefix}e:${key}`),
      );
      expect(await raw.pttl(`${keyPrefix}${prefix}e:tagged`)).toBeGreaterThan(0);

      // getOrSet with a lock: the second caller (another instance on the same client and prefix)
      // waits for the lock that the first holds and gets its value; its own factory never runs.
      const b = track(new RedisCache<unknown>({ client, prefix }));
      const setSpy = vi.spyOn(client, 'set');
      const started = signal();
      const release = signal();
      const calls: string[] = [];
      const first = a.getOrSet(
        'locked',
        async () => {
          calls.push('a');
          started.resolve();
          await release.promise;
          return 'from-a';
        },
        { lock: true },
      );
      await started.promise;
      expect(await raw.exists(`${keyPrefix}${prefix}l:locked`)).toBe(1);
      const second = b.getOrSet(
        'locked',
        () => {
          calls.push('b');
          return 'from-b';
        },
        { lock: true },
      );
      // Released once b's own SET NX on the lock has been refused.
      const refused = (): Promise<unknown>[] =>
        setSpy.mock.calls.flatMap((call, i) =>
          call.includes('NX') && i > 0 ? [setSpy.mock.results[i]?.value as Promise<unknown>] : [],
        );
      await vi.waitFor(() => expect(refused().length).toBeGreaterThan(0), { timeout: 5000, interval: 5 });
      expect(await refused()[0]).toBeNull();
      release.resolve();
      expect(await Promise.all([first, second])).toEqual(['from-a', 'from-a']);
      expect(calls).toEqual(['a']);
      expect(await raw.exists(`${keyPrefix}${prefix}l:locked`)).toBe(0);
      setSpy.mockRestore();

      // Tags: invalidated on every instance; the server-time clock record is there.
      await a.invalidateTags(['t1']);
      expect(await b.get('tagged')).toBeUndefined();
      expect(Number(await raw.get(`${keyPrefix}${prefix}t:t1`))).toBeGreaterThan(0);
      expect(await raw.exists(`${keyPrefix}${prefix}c:tags`)).toBe(1);

      // SCAN-based operations see the keys under the keyPrefix.
      expect(await collectSorted(a.keys())).toEqual(['locked', 'plain', 'session:1', 'user:1', 'user:2']);
      expect(await collectSorted(a.keys({ prefix: 'user:' }))).toEqual(['user:1', 'user:2']);
      expect(await a.deleteMatching('user:*')).toBe(2);
      expect(await a.getMany(['user:1', 'user:2', 'session:1'])).toEqual([undefined, undefined, 's']);
      await a.clear({ prefix: 'session:' });
      expect(await a.get('session:1')).toBeUndefined();
      expect(await a.get('plain')).toEqual({ n: 1 });
      expect(await a.add('plain', 'x')).toBe(false);
      expect(await a.delete('plain')).toBe(true);
      await a.clear();
      expect(await collectSorted(a.keys())).toEqual([]);
      expect(await scanAll(raw, `${escapeMatch(keyPrefix + prefix)}[et]:*`)).toEqual([]);

      // Borrowed: closing the caches leaves the application's client open.
      await a.close();
      await b.close();
      expect(client.status).toBe('ready');
      expect(await client.call('PING')).toBe('PONG');
    });
  }

  it('takes its commandTimeout from the client', () => {
    const cache = track(new RedisCache({ client: appRedis(major), prefix: uniquePrefix('timeout') }));
    expect(cache.commandTimeout).toBe(5000);
  });

  it('a RedisBus takes it too (its duplicates carry the messages between two buses)', async () => {
    const client = appRedis(major);
    const channel = uniquePrefix('bus');
    const a = track(new RedisBus({ client, channel }));
    const b = track(new RedisBus({ client, channel }));
    await Promise.all(
      [a, b].map((bus) =>
        bus.connected ? undefined : new Promise<void>((done) => bus.on('connect', () => done())),
      ),
    );
    const received = signal<Uint8Array>();
    b.subscribe((message) => received.resolve(message));
    await a.publish(Uint8Array.from([7, 8, 9]));
    expect([...(await received.promise)]).toEqual([7, 8, 9]);
  });
});

describe('an object that is not an ioredis client', () => {
  const notClients: [string, unknown, string][] = [
    ['an empty object', {}, 'status (a string), isCluster (a boolean), options (an object), getBuffer()'],
    ['a string', 'redis://127.0.0.1:6379', 'got string'],
    ['null', null, 'got null'],
    [
      'a client-shaped object without evalsha and scan',
      {
        status: 'ready',
        isCluster: false,
        options: {},
        ...Object.fromEntries(
          [
            'getBuffer',
            'mgetBuffer',
            'set',
            'eval',
            'dbsize',
            'unlink',
            'call',
            'pipeline',
            'duplicate',
            'on',
            'once',
            'off',
          ].map((name) => [name, () => undefined]),
        ),
      },
      'it has no evalsha(), scan()',
    ],
  ];

  it.each(notClients)('%s is refused by RedisCache and RedisBus with CACHE_CONFIG', (_, client, names) => {
    for (const make of [
      () => new RedisCache({ client } as unknown as RedisCacheOptions),
      () => new RedisBus({ client } as unknown as RedisBusOptions),
    ]) {
      let error: unknown;
      try {
        track(make());
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CacheConfigError);
      expect((error as CacheConfigError).code).toBe(CacheErrorCode.config);
      expect((error as Error).message).toContain(
        'client must be an ioredis Redis or Cluster (ioredis 5 or 6)',
      );
      expect((error as Error).message).toContain(names);
    }
  });

  it('a Cluster-shaped object without nodes() is refused', () => {
    const client = appRedis(MAJORS[0]!);
    const fake = Object.create(client) as Record<string, unknown>;
    Object.defineProperty(fake, 'isCluster', { value: true });
    Object.defineProperty(fake, 'nodes', { value: undefined });
    expect(() => new RedisCache({ client: fake } as unknown as RedisCacheOptions)).toThrow(
      'client must be an ioredis Redis or Cluster (ioredis 5 or 6); it has no nodes() (a Cluster)',
    );
  });
});
