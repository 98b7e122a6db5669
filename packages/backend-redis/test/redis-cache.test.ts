import {
  CacheConfigError,
  CacheErrorCode,
  CacheSerializationError,
  createCache,
  type Serializer,
} from '@cache/core';
import { collectSorted, uniquePrefix } from '@cache/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { createBackend, RedisCache } from '../src/index.js';
import { escapeMatch } from '../src/internal/patterns.js';
import { makeCache, REDIS_URL, rawRedis, scanAll, sleep, track } from './helpers/redis.js';

/** Passes bytes through unchanged, to see exactly what reaches Redis. */
const bytesSerializer: Serializer = {
  id: 'bytes',
  serialize: (value) => value as Uint8Array,
  deserialize: (bytes) => Buffer.from(bytes),
};

describe('key layout', () => {
  it('stores entries under prefix + "e:" as a binary envelope with PX, tags under prefix + "t:", the tag clock at prefix + "c:tags"', async () => {
    const cache = makeCache();
    const raw = rawRedis();
    await cache.set('k', { a: 1 }, { ttl: '1m', tags: ['tg'] });
    await cache.invalidateTags(['tg']);
    const stored = await raw.getBuffer(`${cache.prefix}e:k`);
    expect(stored?.[0]).toBe(0xca);
    const pttl = await raw.pttl(`${cache.prefix}e:k`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
    const tag = await raw.get(`${cache.prefix}t:tg`);
    expect(Number(tag)).toBeGreaterThan(0);
    expect(await raw.pttl(`${cache.prefix}t:tg`)).toBe(-1);
    // The tag clock: the latest invalidation stamp, then the latest tagged-write stamp (epoch ms).
    const clock = (await raw.get(`${cache.prefix}c:tags`))?.split(' ').map(Number);
    expect(clock?.[0]).toBe(Number(tag));
    expect(clock?.[1]).toBeLessThanOrEqual(Number(tag));
    expect(await scanAll(raw, `${escapeMatch(cache.prefix)}*`)).toEqual([
      `${cache.prefix}c:tags`,
      `${cache.prefix}e:k`,
      `${cache.prefix}t:tg`,
    ]);
    expect(cache.entryKey('x')).toBe(`${cache.prefix}e:x`);
    expect(cache.tagKey('x')).toBe(`${cache.prefix}t:x`);
  });

  it('keeps an entry physically for its stale window: PX is the logical TTL plus the window', async () => {
    const cache = makeCache();
    const raw = rawRedis();
    await cache.getOrSet('k', () => 1, { ttl: '1s', staleWhileRevalidate: '1m' });
    const pttl = await raw.pttl(`${cache.prefix}e:k`);
    expect(pttl).toBeGreaterThan(60_000);
    expect(pttl).toBeLessThanOrEqual(61_000);
    await cache.set('forever', 1);
    expect(await raw.pttl(`${cache.prefix}e:forever`)).toBe(-1);
  });

  it('user keys never collide with tag records', async () => {
    const cache = makeCache();
    await cache.set('t:a', 'entry');
    await cache.set('x', 'tagged', { tags: ['a'] });
    await cache.invalidateTags(['a']);
    expect(await cache.get('t:a')).toBe('entry');
    expect(await cache.get('x')).toBeUndefined();
    expect(await collectSorted(cache.keys())).toEqual(['t:a']);
  });

  it('takes keys with glob characters, NUL, emoji and spaces as they are', async () => {
    const cache = makeCache();
    const keys = ['a*', 'a?', 'a[1]', 'a\\b', 'nul\u0000x', 'emoji 🎉', '..', '/x/y'];
    await cache.setMany(keys.map((key, i) => [key, i] as const));
    expect(await cache.getMany(keys)).toEqual(keys.map((_, i) => i));
    expect(await collectSorted(cache.keys())).toEqual([...keys].sort());
    expect(await collectSorted(cache.keys({ prefix: 'a[' }))).toEqual(['a[1]']);
    expect(await collectSorted(cache.keys({ prefix: 'a*' }))).toEqual(['a*']);
  });
});

describe('prefix escaping and clear()', () => {
  it('a prefix with * ? [ ] \\ matches only itself in SCAN', async () => {
    const base = uniquePrefix('esc');
    const star = makeCache({ prefix: `${base}a*` });
    const starVictim = makeCache({ prefix: `${base}ab` });
    const klass = makeCache({ prefix: `${base}[xy]:` });
    const klassVictim = makeCache({ prefix: `${base}x:` });
    const quest = makeCache({ prefix: `${base}q?\\` });
    const questVictim = makeCache({ prefix: `${base}qq\\` });
    for (const cache of [star, starVictim, klass, klassVictim, quest, questVictim])
      await cache.set('k', cache.prefix);
    expect(await collectSorted(star.keys())).toEqual(['k']);
    await star.clear();
    await klass.clear();
    await quest.clear();
    expect(await star.get('k')).toBeUndefined();
    expect(await klass.get('k')).toBeUndefined();
    expect(await quest.get('k')).toBeUndefined();
    expect(await starVictim.get('k')).toBe(`${base}ab`);
    expect(await klassVictim.get('k')).toBe(`${base}x:`);
    expect(await questVictim.get('k')).toBe(`${base}qq\\`);
    expect(await star.deleteMatching('*')).toBe(0);
    expect(await starVictim.has('k')).toBe(true);
  });

  it("another application's keys on the same server survive clear()", async () => {
    const cache = makeCache();
    const raw = rawRedis();
    const other = uniquePrefix('other-app');
    const foreign = [
      `${other}k`,
      `${cache.prefix}`,
      `${cache.prefix.slice(0, -1)}`,
      `x${cache.prefix}e:k`,
      `${cache.prefix}z:k`,
    ];
    for (const key of foreign) await raw.set(key, 'mine');
    await cache.setMany(Array.from({ length: 2500 }, (_, i) => [`k${i}`, i] as const));
    await cache.set('tagged', 1, { tags: ['t'] });
    await cache.invalidateTags(['t']);
    await cache.clear();
    expect(await scanAll(raw, `${escapeMatch(cache.prefix)}[et]:*`)).toEqual([]);
    for (const key of foreign) expect(await raw.get(key)).toBe('mine');
    await raw.unlink(...foreign);
  });

  it('clear({ prefix }) removes only the entries under it', async () => {
    const cache = makeCache();
    await cache.setMany([
      ['user:1', 1],
      ['user:2', 2],
      ['post:1', 3],
      ['user', 4],
    ]);
    await cache.clear({ prefix: 'user:' });
    expect(await cache.getMany(['user:1', 'user:2', 'post:1', 'user'])).toEqual([undefined, undefined, 3, 4]);
  });
});

describe('deleteMatching', () => {
  it('treats only * and ? as wildcards, ? as one character', async () => {
    const cache = makeCache();
    await cache.setMany(
      ['a[1]', 'a1', 'a\\x', 'aé', 'ab', 'abc', 'b*', 'bb'].map((key) => [key, key] as const),
    );
    expect(await cache.deleteMatching('a[1]')).toBe(1);
    expect(await cache.has('a1')).toBe(true);
    expect(await cache.deleteMatching('a?')).toBe(3); // a1, aé, ab
    expect(await collectSorted(cache.keys())).toEqual(['a\\x', 'abc', 'b*', 'bb']);
    expect(await cache.deleteMatching('b*')).toBe(2);
    expect(await cache.deleteMatching('*')).toBe(2);
    expect(await collectSorted(cache.keys())).toEqual([]);
  });
});

describe('values', () => {
  it('is binary-safe end to end (no base64)', async () => {
    const cache = makeCache<Uint8Array>({ serializer: bytesSerializer });
    const raw = rawRedis();
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 256));
    await cache.set('bin', bytes);
    expect(Buffer.compare(Buffer.from((await cache.get('bin')) as Uint8Array), bytes)).toBe(0);
    const stored = (await raw.getBuffer(`${cache.prefix}e:bin`)) as Buffer;
    expect(Buffer.compare(stored.subarray(stored.length - bytes.length), bytes)).toBe(0);
    const json = makeCache();
    const text = 'nul\u0000 emoji 🎉 \uffff';
    await json.set('s', text);
    expect(await json.get('s')).toBe(text);
  });

  it('reads corrupt bytes as a miss, reports and removes them', async () => {
    const cache = makeCache();
    const raw = rawRedis();
    const errors: unknown[] = [];
    cache.on('error', ({ error }) => errors.push(error));
    await raw.set(`${cache.prefix}e:bad`, Buffer.from([0xca, 1, 200, 1, 2]));
    expect(await cache.get('bad')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CacheSerializationError);
    expect(await raw.exists(`${cache.prefix}e:bad`)).toBe(0);
    expect(cache.stats.errors).toBe(1);
  });

  it('getMany keeps the caller order with duplicates and misses', async () => {
    const cache = makeCache();
    await cache.setMany([
      ['a', 1],
      ['b', 2],
    ]);
    expect(await cache.getMany(['b', 'x', 'a', 'b'])).toEqual([2, undefined, 1, 2]);
  });

  it('answers many concurrent callers correctly (commands batched in one write)', async () => {
    for (const autoPipelining of [true, false]) {
      const cache = makeCache<number>({ autoPipelining });
      const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((key, i) => cache.set(key, i)));
      expect(await Promise.all(keys.map((key) => cache.get(key)))).toEqual(keys.map((_, i) => i));
      expect(
        await Promise.all([cache.getMany(keys.slice(0, 3)), cache.get('k9'), cache.has('nope')]),
      ).toEqual([[0, 1, 2], 9, false]);
    }
  });

  it('setMany and deleteMany work past one script batch (500 keys)', async () => {
    const cache = makeCache<number>();
    const keys = Array.from({ length: 1201 }, (_, i) => `k${i}`);
    await cache.setMany(
      keys.map((key, i) => [key, i] as const),
      { ttl: '1m' },
    );
    expect(await cache.getMany(keys)).toEqual(keys.map((_, i) => i));
    expect(await rawRedis().pttl(`${cache.prefix}e:k1200`)).toBeGreaterThan(0);
    // 'k600' is gone before the call: a missing key inside a later batch.
    expect(await cache.delete('k600')).toBe(true);
    // Nobody listens: the script only counts.
    expect(await cache.deleteMany([...keys, 'missing', 'k0'])).toBe(1200);
    expect(await collectSorted(cache.keys())).toEqual([]);
    await cache.setMany(keys.map((key, i) => [key, i] as const));
    expect(await cache.delete('k700')).toBe(true);
    const deleted: string[] = [];
    cache.on('delete', ({ key }) => deleted.push(key));
    // Someone listens: the script names the removed keys, each batch in order.
    expect(await cache.deleteMany([...keys, 'missing', 'k0'])).toBe(1200);
    expect(deleted).toEqual(keys.filter((key) => key !== 'k700'));
    expect(cache.stats.deletes).toBe(2402);
    expect(await collectSorted(cache.keys())).toEqual([]);
  });

  it('deleteMatching reports each live key it removes once, across SCAN batches', async () => {
    const cache = makeCache<number>();
    const keys = Array.from({ length: 2500 }, (_, i) => `m:${i}`);
    await cache.setMany(keys.map((key, i) => [key, i] as const));
    await cache.set('other', 1);
    await cache.getOrSet('m:stale', () => 1, { ttl: 30, staleWhileRevalidate: '1m' });
    await sleep(80);
    const deleted: string[] = [];
    cache.on('delete', ({ key }) => deleted.push(key));
    expect(await cache.deleteMatching('m:*')).toBe(2500);
    expect(deleted.sort()).toEqual([...keys].sort());
    expect(await rawRedis().exists(`${cache.prefix}e:m:stale`)).toBe(0);
    expect(await collectSorted(cache.keys())).toEqual(['other']);
  });

  it('expires by server TTL', async () => {
    const cache = makeCache();
    await cache.set('k', 1, { ttl: 40 });
    await cache.setMany([['m', 1]], { ttl: 40 });
    await sleep(120);
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getMany(['m'])).toEqual([undefined]);
    expect(await rawRedis().exists(`${cache.prefix}e:k`, `${cache.prefix}e:m`)).toBe(0);
  });
});

describe('add and delete around the stale window', () => {
  /**
   * The logical TTL of the entries: long enough that the first `add` comes before it even on a
   * loaded machine (30 ms did not), short enough to wait out.
   */
  const TTL = 300;
  /** Resolves once the clock (the cache's: the process clock) is past `at`. */
  const untilPast = (at: number): Promise<void> =>
    vi.waitFor(
      () => {
        if (Date.now() <= at) throw new Error(`the clock is not past ${at} yet`);
      },
      { timeout: 10_000, interval: 5 },
    );

  it('an entry kept only for its stale window is absent for add, delete and keys', async () => {
    const cache = makeCache();
    await cache.getOrSet('k', () => 'old', { ttl: TTL, staleWhileRevalidate: '1m' });
    await cache.getOrSet('j', () => 'old', { ttl: TTL, staleIfError: '1m' });
    const written = Date.now();
    expect(await cache.add('k', 'x')).toBe(false);
    await untilPast(written + TTL);
    const raw = rawRedis();
    expect(await raw.exists(`${cache.prefix}e:k`, `${cache.prefix}e:j`)).toBe(2);
    expect(await collectSorted(cache.keys())).toEqual([]);
    expect(await cache.add('k', 'new')).toBe(true);
    expect(await cache.get('k')).toBe('new');
    expect(await cache.delete('j')).toBe(false);
    expect(await raw.exists(`${cache.prefix}e:j`)).toBe(0);
    await cache.getOrSet('s', () => 'old', { ttl: TTL, staleWhileRevalidate: '1m' });
    await cache.getOrSet('t', () => 'old', { ttl: TTL, staleWhileRevalidate: '1m' });
    await untilPast(Date.now() + TTL);
    expect(await cache.deleteMany(['k', 'j', 's'])).toBe(1);
    await cache.set('k', 'again');
    const deleted: string[] = [];
    cache.on('delete', ({ key }) => deleted.push(key));
    expect(await cache.deleteMany(['k', 'j', 't'])).toBe(1);
    expect(deleted).toEqual(['k']);
    expect(await raw.exists(`${cache.prefix}e:s`, `${cache.prefix}e:t`)).toBe(0);
  });

  it('add is SET NX for live entries and counts tag-invalidated entries as absent', async () => {
    const cache = makeCache();
    expect(await cache.add('k', 1)).toBe(true);
    expect(await cache.add('k', 2)).toBe(false);
    expect(await cache.get('k')).toBe(1);
    await cache.set('t', 1, { tags: ['x'] });
    await cache.invalidateTags(['x']);
    expect(await cache.add('t', 2)).toBe(true);
    expect(await cache.get('t')).toBe(2);
  });
});

describe('sharing between instances', () => {
  it('tag invalidations reach every instance with the same prefix', async () => {
    const a = makeCache();
    const b = makeCache({ prefix: a.prefix });
    await a.set('k', 1, { tags: ['x', 'y'] });
    await a.set('j', 2, { tags: ['y'] });
    await a.set('i', 3, { tags: ['z'] });
    expect(await b.get('k')).toBe(1);
    await b.invalidateTags(['x']);
    expect(await a.getMany(['k', 'j', 'i'])).toEqual([undefined, 2, 3]);
    await b.invalidateTags(['y', 'z']);
    expect(await a.getMany(['k', 'j', 'i'])).toEqual([undefined, undefined, undefined]);
    await a.set('k', 4, { tags: ['x'] });
    expect(await b.get('k')).toBe(4);
  });

  it('a tag record keeps the latest invalidation time', async () => {
    const cache = makeCache();
    const raw = rawRedis();
    await raw.set(`${cache.prefix}t:x`, String(Date.now() + 60_000));
    await cache.invalidateTags(['x']);
    expect(Number(await raw.get(`${cache.prefix}t:x`))).toBeGreaterThan(Date.now() + 1_000);
  });

  it("stats are this cache's own traffic", async () => {
    const a = makeCache();
    const b = makeCache({ prefix: a.prefix });
    await a.set('k', 1);
    await a.get('k');
    await a.get('missing');
    expect(a.stats.snapshot()).toMatchObject({ hits: 1, misses: 1, sets: 1, deletes: 0, errors: 0 });
    expect(b.stats.snapshot()).toMatchObject({ hits: 0, misses: 0, sets: 0, deletes: 0, errors: 0 });
  });
});

describe('clients', () => {
  it('borrows a client passed in: close() leaves it open', async () => {
    const raw = rawRedis();
    const cache = new RedisCache({ client: raw, prefix: uniquePrefix('borrowed') });
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
    await cache.clear();
    await cache.close();
    expect(raw.status).toBe('ready');
    expect(await raw.ping()).toBe('PONG');
  });

  it('quits a client it created', async () => {
    const cache = makeCache();
    await cache.set('k', 1);
    await cache.close();
    expect(cache.client.status).toBe('end');
    await expect(cache.get('k')).rejects.toMatchObject({ code: CacheErrorCode.config });
  });
});

describe('createCache and options', () => {
  it('createCache("redis://...?prefix=...") makes a RedisCache through the core loader', async () => {
    const prefix = uniquePrefix('url');
    const cache = track(
      await createCache(`${REDIS_URL}?prefix=${encodeURIComponent(prefix)}&commandTimeout=3000`),
    );
    expect(cache).toBeInstanceOf(RedisCache);
    expect((cache as RedisCache).prefix).toBe(prefix);
    expect((cache as RedisCache).commandTimeout).toBe(3000);
    await cache.set('k', 'v');
    expect(await rawRedis().exists(`${prefix}e:k`)).toBe(1);
    await cache.clear();
    const viaConfig = track(await createCache({ backend: 'redis', url: REDIS_URL, prefix }));
    expect(viaConfig).toBeInstanceOf(RedisCache);
  });

  it('rediss:// turns TLS on; cluster and sentinel configs make the matching clients', async () => {
    const tls = track(createBackend({ url: 'rediss://127.0.0.1:1', connectTimeout: 200 }) as RedisCache);
    expect(tls.client.isCluster).toBe(false);
    expect((tls.client.options as { tls?: unknown }).tls).toBeDefined();
    const cluster = track(
      createBackend({
        cluster: { nodes: [{ host: '127.0.0.1', port: 1 }] },
        connectTimeout: 200,
      }) as RedisCache,
    );
    expect(cluster.client.isCluster).toBe(true);
    const sentinel = track(
      createBackend({
        sentinel: { sentinels: [{ host: '127.0.0.1', port: 1 }], name: 'mymaster' },
        connectTimeout: 200,
      }) as RedisCache,
    );
    expect((sentinel.client.options as { name?: string }).name).toBe('mymaster');
  });

  it.each([
    ['an empty prefix', { prefix: '' }],
    ['an unknown option', { prefx: 'x' }],
    ['url and cluster together', { url: REDIS_URL, cluster: { nodes: ['127.0.0.1:1'] } }],
    ['a non-redis url', { url: 'http://127.0.0.1' }],
    ['a zero commandTimeout', { commandTimeout: 0 }],
    ['a bad connectTimeout', { connectTimeout: 'soon' }],
    ['a bad serializer', { serializer: {} }],
    ['a bad client', { client: {} }],
    ['an empty cluster', { cluster: { nodes: [] } }],
    ['a sentinel without name', { sentinel: { sentinels: [{ port: 1 }] } }],
    ['a bad defaultTtl', { defaultTtl: -1 }],
  ])('refuses %s with CacheConfigError', (_, options) => {
    expect(() => createBackend(options)).toThrow(CacheConfigError);
  });

  it('refuses timeouts with a borrowed client', () => {
    expect(() => new RedisCache({ client: rawRedis(), commandTimeout: 100 })).toThrow(CacheConfigError);
  });
});
