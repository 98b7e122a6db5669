import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheConfigError, CacheFullError, CacheSerializationError, createCache } from '@cache/core';
import { encodeEnvelope, MAX_TIMER_MS } from '@cache/core/backend';
import { describe, expect, test, vi } from 'vitest';
import { FileCache } from '../src/index.js';
import { hashOf } from '../src/internal/layout.js';
import { freshDir, makeCache, sibling } from './helpers/setup.js';
import { listTree, modeOf } from './helpers/temp-dir.js';

describe('entries', () => {
  test('set, get, has, delete, add round trip through files', async () => {
    const { cache } = await makeCache();
    await cache.set('a', { n: 1, list: [1, 'two', null] });
    expect(await cache.get('a')).toEqual({ n: 1, list: [1, 'two', null] });
    expect(await cache.has('a')).toBe(true);
    expect(await cache.add('a', 2)).toBe(false);
    expect(await cache.add('b', 2)).toBe(true);
    expect(await cache.get('b')).toBe(2);
    expect(await cache.delete('a')).toBe(true);
    expect(await cache.delete('a')).toBe(false);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.getMany(['a', 'b', 'c'])).toEqual([undefined, 2, undefined]);
    await cache.setMany([
      ['c', 3],
      ['d', 4],
    ]);
    expect(await cache.deleteMany(['c', 'd', 'e'])).toBe(2);
  });

  test('an entry file is <dir>/<2 hex>/<sha256 of key> and holds the full key', async () => {
    const { cache, dir } = await makeCache();
    await cache.set('user:1', 'x');
    const hash = hashOf('user:1');
    expect(await listTree(dir)).toEqual([hash.slice(0, 2), `${hash.slice(0, 2)}/${hash}`]);
    const bytes = await readFile(join(dir, hash.slice(0, 2), hash));
    expect(bytes.includes(Buffer.from('user:1'))).toBe(true);
  });

  test('TTL expiry follows the injected clock; expired entries are removed on read', async () => {
    const { cache, clock, dir } = await makeCache({ defaultTtl: '10s' });
    await cache.set('a', 1);
    await cache.set('b', 2, { ttl: '1m' });
    clock.advance(9_999);
    expect(await cache.get('a')).toBe(1);
    clock.advance(1);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBe(2);
    const hash = hashOf('a');
    expect((await listTree(dir)).includes(`${hash.slice(0, 2)}/${hash}`)).toBe(false);
  });

  test('an expired entry is replaced by add', async () => {
    const { cache, clock } = await makeCache();
    await cache.set('a', 1, { ttl: 100 });
    clock.advance(100);
    expect(await cache.add('a', 2)).toBe(true);
    expect(await cache.get('a')).toBe(2);
  });

  test('getEntry reports the envelope size and times', async () => {
    const { cache, clock } = await makeCache();
    await cache.set('k', 'v', { ttl: 1000, tags: ['t'] });
    const info = await cache.getEntry('k');
    const size = encodeEnvelope(
      { value: 'v', createdAt: 0, expiresAt: 0, tags: ['t'] },
      { id: 'json', serialize: (v) => Buffer.from(JSON.stringify(v)), deserialize: () => 0 },
      'k',
    ).length;
    expect(info).toEqual({
      key: 'k',
      value: 'v',
      createdAt: clock.now(),
      expiresAt: clock.now() + 1000,
      tags: ['t'],
      size,
    });
  });

  test('keys(), clear({ prefix }) and deleteMatching read the stored keys exactly', async () => {
    const { cache, clock } = await makeCache();
    await cache.setMany([
      ['user:1', 1],
      ['user:2', 2],
      ['post:1', 3],
      ['a/../b', 4],
    ]);
    await cache.set('gone', 5, { ttl: 10 });
    clock.advance(10);
    const keys: string[] = [];
    for await (const key of cache.keys()) keys.push(key);
    expect(keys.sort()).toEqual(['a/../b', 'post:1', 'user:1', 'user:2']);
    const users: string[] = [];
    for await (const key of cache.keys({ prefix: 'user:' })) users.push(key);
    expect(users.sort()).toEqual(['user:1', 'user:2']);
    expect(await cache.deleteMatching('user:*')).toBe(2);
    await cache.clear({ prefix: 'post' });
    expect(await cache.get('post:1')).toBeUndefined();
    expect(await cache.get('a/../b')).toBe(4);
    await cache.clear();
    expect(await cache.get('a/../b')).toBeUndefined();
  });

  test('an entry larger than maxBytes is a CacheFullError and the old value stays', async () => {
    const { cache } = await makeCache({ maxBytes: 200 });
    await cache.set('a', 'small');
    const error = await cache.set('a', 'x'.repeat(300)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheFullError);
    expect((error as CacheFullError).code).toBe('CACHE_FULL');
    expect(await cache.get('a')).toBe('small');
  });
});

describe('reads of files of any size', () => {
  test('sizes up and down read back whole (the read buffer follows recent sizes)', async () => {
    const { cache } = await makeCache();
    const sizes = [0, 10, 2_040, 2_048, 4_096, 16_380, 16_384, 200_000, 1_048_576, 3_000_000, 10];
    for (const [i, size] of sizes.entries()) await cache.set(`k${i}`, 'y'.repeat(size));
    for (let round = 0; round < 3; round++) {
      for (const [i, size] of sizes.entries()) expect(await cache.get(`k${i}`)).toBe('y'.repeat(size));
      // Enough small reads in a row to shrink the buffer, then the big ones again.
      for (let n = 0; n < 300; n++) expect(await cache.get('k1')).toBe('y'.repeat(10));
    }
  });
});

describe('hash collisions', () => {
  test('a file holding another key is a miss for reads, kept, and replaced by a write', async () => {
    const { cache, dir } = await makeCache();
    const hash = hashOf('mine');
    const other = encodeEnvelope(
      { value: 'theirs', createdAt: 1, expiresAt: undefined, tags: [] },
      jsonLike(),
      'other',
    );
    await cache.set('mine', 'placeholder');
    const path = join(dir, hash.slice(0, 2), hash);
    await writeFile(path, other);
    const errors: unknown[] = [];
    cache.on('error', (e) => errors.push(e));
    expect(await cache.get('mine')).toBeUndefined();
    expect(await cache.delete('mine')).toBe(false);
    expect(await readFile(path)).toEqual(other);
    expect(await cache.add('mine', 'added')).toBe(true);
    expect(await cache.get('mine')).toBe('added');
    expect(errors).toEqual([]);
  });
});

describe('shared directory', () => {
  test('two instances see each other: values, deletes and tag invalidations', async () => {
    const { cache, dir, clock } = await makeCache();
    const other = sibling(dir, { clock });
    await cache.set('a', 1, { tags: ['red'] });
    await cache.set('b', 2, { tags: ['blue'] });
    expect(await other.get('a')).toBe(1);
    clock.advance(1);
    await other.invalidateTags(['red']);
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBe(2);
    clock.advance(1);
    await cache.set('a', 3, { tags: ['red'] });
    expect(await other.get('a')).toBe(3);
    expect((await listTree(dir)).filter((p) => p.startsWith('tags/'))).toEqual([`tags/${hashOf('red')}`]);
  });
});

describe('modes', () => {
  test('files are 0600 and folders 0700 by default', async () => {
    const root = await freshDir();
    const dir = join(root, 'nested', 'cache');
    const cache = sibling(dir);
    await cache.set('a', 1);
    await cache.invalidateTags(['t']);
    const hash = hashOf('a');
    expect(await modeOf(join(root, 'nested'))).toBe(0o700);
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(join(dir, hash.slice(0, 2)))).toBe(0o700);
    expect(await modeOf(join(dir, hash.slice(0, 2), hash))).toBe(0o600);
    expect(await modeOf(join(dir, 'tags'))).toBe(0o700);
    expect(await modeOf(join(dir, 'tags', hashOf('t')))).toBe(0o600);
  });

  test('fileMode and dirMode are applied exactly, whatever the umask', async () => {
    const dir = join(await freshDir(), 'c');
    const cache = sibling(dir, { fileMode: 0o664, dirMode: 0o775 });
    await cache.set('a', 1);
    const hash = hashOf('a');
    expect(await modeOf(dir)).toBe(0o775);
    expect(await modeOf(join(dir, hash.slice(0, 2)))).toBe(0o775);
    expect(await modeOf(join(dir, hash.slice(0, 2), hash))).toBe(0o664);
  });

  test.each([0o700, 0o775])('every shard folder made later gets dirMode 0o%o too', async (dirMode) => {
    const dir = join(await freshDir(), 'c');
    const cache = sibling(dir, { dirMode });
    const keys = Array.from({ length: 20 }, (_, i) => `key:${i}`);
    for (const key of keys) await cache.set(key, 1);
    const shards = [...new Set(keys.map((key) => hashOf(key).slice(0, 2)))];
    expect(shards).toHaveLength(19);
    for (const shard of shards) expect(await modeOf(join(dir, shard))).toBe(dirMode);
  });
});

describe('options', () => {
  test.each([
    [{ dir: '' }],
    [{ dir: 'a\0b' }],
    [{ dir: '/tmp/x', maxEntries: 0 }],
    [{ dir: '/tmp/x', maxBytes: 'lots' }],
    [{ dir: '/tmp/x', fileMode: 0o1777 }],
    [{ dir: '/tmp/x', fileMode: 0o400 }],
    [{ dir: '/tmp/x', dirMode: 0o600 }],
    [{ dir: '/tmp/x', fsync: 'yes' }],
    [{ dir: '/tmp/x', touchInterval: -1 }],
    [{ dir: '/tmp/x', sweepInterval: 0 }],
    [{ dir: '/tmp/x', serializer: {} }],
    [{ dir: '/tmp/x', maxKeyBytes: 70_000 }],
    // Unknown options (a typo must not pass silently).
    [{ dir: '/tmp/x', maxEntrys: 10 }],
    [{ dir: '/tmp/x', ttl: '1m' }],
    [{ dir: '/tmp/x', prefix: 'a:' }],
    // Sizes that are not a whole number of bytes, or round to none.
    [{ dir: '/tmp/x', maxBytes: 0.5 }],
    [{ dir: '/tmp/x', maxBytes: 1.5 }],
    [{ dir: '/tmp/x', maxBytes: '0.5' }],
    [{ dir: '/tmp/x', maxBytes: '0.2B' }],
    [{ dir: '/tmp/x', maxEntryBytes: 0.5 }],
    [{ dir: '/tmp/x', maxEntryBytes: 2 ** 31 }],
    [{ dir: '/tmp/x', maxEntryBytes: '3GB' }],
    // Timers beyond 2^31-1 ms (setInterval would fire after 1 ms).
    [{ dir: '/tmp/x', sweepInterval: '30d' }],
    [{ dir: '/tmp/x', sweepInterval: 2 ** 31 }],
    [{ dir: '/tmp/x', lockPollInterval: '25d' }],
    [{ dir: '/tmp/x', lockPollInterval: Number.POSITIVE_INFINITY }],
    [{ dir: '/tmp/x', sharedDir: 'yes' }],
  ])('%o is a CacheConfigError', (options) => {
    const error = (() => {
      try {
        new FileCache(options as never);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CacheConfigError);
    expect((error as CacheConfigError).code).toBe('CACHE_CONFIG');
  });
});

describe('timer options', () => {
  test('a sweepInterval beyond 2^31-1 ms never reaches setInterval; the limit itself and Infinity (off) are taken', async () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    try {
      expect(() => new FileCache({ dir: '/tmp/x', sweepInterval: '30d' })).toThrow(CacheConfigError);
      expect(spy).not.toHaveBeenCalled();
      const dir = await freshDir();
      sibling(dir, { sweepInterval: Number.POSITIVE_INFINITY });
      expect(spy).not.toHaveBeenCalled();
      sibling(dir, { sweepInterval: MAX_TIMER_MS, lockPollInterval: MAX_TIMER_MS });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]?.[1]).toBe(MAX_TIMER_MS);
    } finally {
      spy.mockRestore();
    }
  });

  test('sweeps every minute by default, as MemoryCache does; false turns it off', async () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    try {
      const dir = await freshDir();
      sibling(dir, {});
      expect(spy.mock.calls.map((call) => call[1])).toEqual([60_000]);
      sibling(dir, { sweepInterval: false });
      sibling(dir, { sweepInterval: '5m' });
      expect(spy.mock.calls.map((call) => call[1])).toEqual([60_000, 300_000]);
    } finally {
      spy.mockRestore();
    }
  });

  test('createCache refuses an unknown option and a timer too long in a URL', async () => {
    const dir = await freshDir();
    for (const query of ['maxEntrys=10', 'sweepInterval=30d', 'maxBytes=0.5']) {
      const error = await createCache(`file://${dir}?${query}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CacheConfigError);
      expect((error as CacheConfigError).code).toBe('CACHE_CONFIG');
    }
  });
});

describe('createCache', () => {
  test('file:///abs/dir opens a FileCache on that folder', async () => {
    const dir = await freshDir();
    const cache = await createCache(`file://${dir}?maxEntries=10&fileMode=0o640`);
    try {
      expect(cache).toBeInstanceOf(FileCache);
      expect((cache as FileCache).dir).toBe(dir);
      await cache.set('a', 1);
      const hash = hashOf('a');
      expect(await modeOf(join(dir, hash.slice(0, 2), hash))).toBe(0o640);
      expect(cache.stats.snapshot()).toMatchObject({ entries: 1, dir });
    } finally {
      await cache.close();
    }
  });

  test('file://./rel resolves against the working directory', async () => {
    const dir = await freshDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const cache = await createCache('file://./rel/cache?maxEntries=10');
      expect((cache as FileCache).dir).toBe(join(dir, 'rel', 'cache'));
      await cache.set('k', 'v');
      expect(await readFile(join(dir, 'rel', 'cache', hashOf('k').slice(0, 2), hashOf('k')))).toBeInstanceOf(
        Buffer,
      );
      await cache.close();
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('serializer', () => {
  test('an entry written with another serializer is a miss with a CacheSerializationError event', async () => {
    const { cache, dir, clock } = await makeCache();
    const other = sibling(dir, {
      clock,
      serializer: {
        id: 'other',
        serialize: (v) => Buffer.from(JSON.stringify(v)),
        deserialize: (b) => JSON.parse(Buffer.from(b).toString()),
      },
    });
    await other.set('a', 1);
    const errors: unknown[] = [];
    cache.on('error', ({ error }) => errors.push(error));
    expect(await cache.get('a')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CacheSerializationError);
  });
});

function jsonLike() {
  return {
    id: 'json',
    serialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
    deserialize: (b: Uint8Array) => JSON.parse(Buffer.from(b).toString()),
  };
}
