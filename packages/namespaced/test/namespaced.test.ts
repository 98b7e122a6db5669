import { MemoryCache } from '@cache/backend-memory';
import { type CacheError, CacheConfigError, CacheErrorCode, CacheKeyError } from '@cache/core';
import type { StoredEntry } from '@cache/core/backend';
import { collectSorted, expectCacheError, ManualClock, MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { NamespacedCache, namespaced, namespacePrefix } from '../src/index.js';

function innerKeys(inner: MapCache): string[] {
  return [...inner.entries.keys()].sort();
}

describe('namespacePrefix', () => {
  it('keeps letters, digits, -._~ and non-ASCII characters and encodes every other ASCII character', () => {
    expect(namespacePrefix('users', ':')).toBe('users:');
    expect(namespacePrefix('user-sessions_v2.1~x', ':')).toBe('user-sessions_v2.1~x:');
    expect(namespacePrefix('users:', ':')).toBe('users%3A:');
    expect(namespacePrefix('users:x', ':')).toBe('users%3Ax:');
    expect(namespacePrefix(':x', ':')).toBe('%3Ax:');
    expect(namespacePrefix('a%3A', ':')).toBe('a%253A:');
    expect(namespacePrefix('*?[', ':')).toBe('%2A%3F%5B:');
    expect(namespacePrefix('a/b:c', '/')).toBe('a%2Fb%3Ac/');
    expect(namespacePrefix('a:b', '/')).toBe('a%3Ab/');
    expect(namespacePrefix('a b\0', '|')).toBe('a%20b%00|');
    expect(namespacePrefix('a→b', '#')).toBe('a→b#');
    expect(namespacePrefix('😀', ':')).toBe('😀:');
  });

  it('refuses empty or non-string names and separators that are not one character no name holds, with CacheConfigError', () => {
    for (const [name, separator] of [
      ['', ':'],
      [5, ':'],
      ['a', ''],
      ['a', '%'],
      ['a', 'A'],
      ['a', 'z'],
      ['a', '1'],
      ['a', '-'],
      ['a', '.'],
      ['a', '_'],
      ['a', '~'],
      ['a', '::'],
      ['a', ':1'],
      ['a', '→'],
      ['a', '😀'],
      ['a', 7],
    ] as const) {
      let error: unknown;
      try {
        namespacePrefix(name, separator);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CacheConfigError);
      expect((error as CacheError).code).toBe(CacheErrorCode.config);
    }
    expect(() => namespaced(new MapCache(), '')).toThrow(CacheConfigError);
    expect(() => namespaced(null as unknown as MapCache, 'a')).toThrow(CacheConfigError);
  });
});

describe('namespaced isolation', () => {
  /** Every neighbour stores the same three keys. */
  const NAMES = [
    'users',
    'users2',
    'user',
    'users:',
    'users:x',
    ':x',
    '*',
    '?',
    '[',
    'users*',
    'u?ers',
    ':',
    '%',
  ];
  const KEYS = ['k', 'a:b', '*'];

  async function populate(inner: MapCache): Promise<void> {
    for (const name of NAMES) {
      const ns = namespaced(inner, name);
      for (const key of KEYS) await ns.set(key, `${name}|${key}`);
    }
    await inner.setMany([
      ['users', 'raw'],
      ['usersX', 'raw'],
    ]);
  }

  it('lays out keys as <encoded name>:<key>', async () => {
    const inner = new MapCache();
    await populate(inner);
    expect(innerKeys(inner)).toEqual(
      [
        '%25:*',
        '%25:a:b',
        '%25:k',
        '%2A:*',
        '%2A:a:b',
        '%2A:k',
        '%3A:*',
        '%3A:a:b',
        '%3A:k',
        '%3Ax:*',
        '%3Ax:a:b',
        '%3Ax:k',
        '%3F:*',
        '%3F:a:b',
        '%3F:k',
        '%5B:*',
        '%5B:a:b',
        '%5B:k',
        'u%3Fers:*',
        'u%3Fers:a:b',
        'u%3Fers:k',
        'user:*',
        'user:a:b',
        'user:k',
        'users',
        'users%2A:*',
        'users%2A:a:b',
        'users%2A:k',
        'users%3A:*',
        'users%3A:a:b',
        'users%3A:k',
        'users%3Ax:*',
        'users%3Ax:a:b',
        'users%3Ax:k',
        'users2:*',
        'users2:a:b',
        'users2:k',
        'users:*',
        'users:a:b',
        'users:k',
        'usersX',
      ].sort(),
    );
  });

  it("clear() of 'users' removes exactly its three keys", async () => {
    const inner = new MapCache();
    await populate(inner);
    const before = innerKeys(inner);
    await namespaced(inner, 'users').clear();
    expect(before.filter((key) => !innerKeys(inner).includes(key))).toEqual([
      'users:*',
      'users:a:b',
      'users:k',
    ]);
    expect(await inner.getMany(['users2:k', 'users%3A:k', 'users%3Ax:k', 'users', 'usersX'])).toEqual([
      'users2|k',
      'users:|k',
      'users:x|k',
      'raw',
      'raw',
    ]);
  });

  it('clear(), keys() and deleteMatching() of every name touch only that name', async () => {
    for (const name of NAMES) {
      const inner = new MapCache();
      await populate(inner);
      const ns = namespaced(inner, name);
      const others = innerKeys(inner).filter((key) => !key.startsWith(ns.prefix));
      expect(others).toHaveLength(NAMES.length * 3 - 1);
      expect(await collectSorted(ns.keys())).toEqual(['*', 'a:b', 'k']);
      expect(await ns.deleteMatching('*')).toBe(3);
      expect(innerKeys(inner)).toEqual(others);
      await populate(inner);
      await ns.clear();
      expect(innerKeys(inner)).toEqual(others);
      expect(await collectSorted(ns.keys())).toEqual([]);
    }
  });

  it('clear({ prefix }) and deleteMatching take the pattern within the namespace, glob characters and all', async () => {
    const inner = new MapCache();
    const star = namespaced(inner, '*');
    const other = namespaced(inner, '**');
    await star.setMany([
      ['x1', 1],
      ['x2', 2],
      ['y', 3],
      ['x*', 4],
    ]);
    await other.setMany([
      ['x1', 1],
      ['*:x1', 1],
    ]);
    expect(await star.deleteMatching('x?')).toBe(3);
    expect(await collectSorted(star.keys())).toEqual(['y']);
    await star.set('a[1]', 1);
    await star.set('a1', 1);
    expect(await star.deleteMatching('a[1]')).toBe(1);
    await star.clear({ prefix: 'a' });
    expect(await collectSorted(star.keys())).toEqual(['y']);
    expect(await collectSorted(other.keys())).toEqual(['*:x1', 'x1']);
    expect(innerKeys(inner)).toEqual(['%2A%2A:*:x1', '%2A%2A:x1', '%2A:y']);
  });

  it('nests: namespaced(namespaced(c, a), b) lives inside a and apart from the flat name a:b', async () => {
    const inner = new MapCache();
    const a = namespaced(inner, 'a');
    const ab = namespaced(a, 'b');
    const flat = namespaced(inner, 'a:b');
    await ab.set('k', 'nested');
    await a.set('k', 'a');
    await flat.set('k', 'flat');
    expect(innerKeys(inner)).toEqual(['a%3Ab:k', 'a:b:k', 'a:k']);
    expect(await collectSorted(a.keys())).toEqual(['b:k', 'k']);
    expect(await collectSorted(ab.keys())).toEqual(['k']);
    await ab.clear();
    expect(innerKeys(inner)).toEqual(['a%3Ab:k', 'a:k']);
    await ab.set('k', 'nested');
    await a.clear();
    expect(innerKeys(inner)).toEqual(['a%3Ab:k']);
    expect(await flat.get('k')).toBe('flat');
  });
});

describe('namespaced tags, events, stats', () => {
  it('namespaces tags: invalidateTags in one namespace leaves the others', async () => {
    const inner = new MapCache();
    const users = namespaced(inner, 'users');
    const admins = namespaced(inner, 'admins');
    await users.set('k', 1, { tags: ['t', 'u'] });
    await admins.set('k', 2, { tags: ['t'] });
    await inner.set('raw', 3, { tags: ['t'] });
    expect(inner.entries.get('users:k')?.tags).toEqual(['users:t', 'users:u']);
    expect((await users.getEntry('k'))?.tags).toEqual(['t', 'u']);
    await users.invalidateTags(['t']);
    expect([await users.get('k'), await admins.get('k'), await inner.get('raw')]).toEqual([undefined, 2, 3]);
  });

  it('forwards the events of its own keys with the prefix stripped, and no one else', async () => {
    const clock = new ManualClock();
    const inner = new MapCache({ clock });
    const users = namespaced(inner, 'users');
    const users2 = namespaced(inner, 'users2');
    const events: [string, unknown][] = [];
    for (const name of ['hit', 'miss', 'set', 'delete', 'expire', 'clear'] as const) {
      users.on(name, (payload) => events.push([name, payload]));
    }
    await users.set('a', 1, { ttl: 10 });
    await users2.set('a', 1);
    await users2.get('a');
    await inner.set('users:b', 2);
    await users.get('b');
    await users.delete('b');
    clock.advance(10);
    await users.get('a');
    await inner.clear({ prefix: 'users:x' });
    await inner.clear({ prefix: 'users2' });
    await inner.clear({ prefix: 'us' });
    await users.clear();
    expect(events).toEqual([
      ['set', { key: 'a' }],
      ['set', { key: 'b' }],
      ['hit', { key: 'b' }],
      ['delete', { key: 'b' }],
      ['expire', { key: 'a' }],
      ['miss', { key: 'a' }],
      ['clear', { prefix: 'x' }],
      ['clear', { prefix: undefined }],
      ['clear', { prefix: undefined }],
    ]);
  });

  it('forwards one delete per key that deleteMany and deleteMatching remove, and counts them once', async () => {
    const clock = new ManualClock();
    const inner = new MapCache({ clock });
    const users = namespaced(inner, 'users');
    const users2 = namespaced(inner, 'users2');
    const events: [string, unknown][] = [];
    const others: unknown[] = [];
    const raw: string[] = [];
    users.on('delete', (payload) => events.push(['delete', payload]));
    users2.on('delete', (payload) => others.push(payload));
    inner.on('delete', ({ key }) => raw.push(key));
    await users.setMany([
      ['a', 1],
      ['b', 2],
      ['x:1', 3],
      ['x:2', 4],
    ]);
    await users.set('x:3', 5, { ttl: 10 });
    await users2.setMany([
      ['a', 1],
      ['x:1', 2],
    ]);
    clock.advance(10);
    expect(await users.deleteMany(['b', 'a', 'b', 'nope'])).toBe(2);
    expect(await users.deleteMatching('x:?')).toBe(2);
    expect(await users.deleteMatching('x:?')).toBe(0);
    expect(events).toEqual([
      ['delete', { key: 'b' }],
      ['delete', { key: 'a' }],
      ['delete', { key: 'x:1' }],
      ['delete', { key: 'x:2' }],
    ]);
    expect(raw).toEqual(['users:b', 'users:a', 'users:x:1', 'users:x:2']);
    expect(others).toEqual([]);
    expect(users.stats.snapshot()).toMatchObject({ sets: 5, deletes: 4 });
    expect(users2.stats.snapshot()).toMatchObject({ sets: 2, deletes: 0 });
    expect(inner.stats.deletes).toBe(4);
    expect(await collectSorted(users2.keys())).toEqual(['a', 'x:1']);
  });

  it("counts the inner cache's evictions of its own keys, by cause", async () => {
    const clock = new ManualClock();
    const inner = new MemoryCache({ maxEntries: 2, policy: 'lru', clock });
    const users = namespaced(inner, 'users');
    const pages = namespaced(inner, 'pages');
    await users.set('a', 1, { ttl: 10 });
    await pages.set('b', 2);
    clock.advance(10);
    await pages.set('c', 3); // evicts users:a, expired
    await pages.set('d', 4); // evicts pages:b for capacity
    expect(users.stats.snapshot()).toMatchObject({
      evictions: 1,
      evictionsByCause: { capacity: 0, size: 0, expired: 1 },
    });
    expect(pages.stats.snapshot()).toMatchObject({
      evictions: 1,
      evictionsByCause: { capacity: 1, size: 0, expired: 0 },
    });
  });

  it('counts only its own traffic', async () => {
    const inner = new MapCache();
    const users = namespaced(inner, 'users');
    const users2 = namespaced(inner, 'users2');
    await users.set('a', 1);
    await users.get('a');
    await users.get('zz');
    await users2.set('a', 1);
    await users2.get('a');
    await users2.getOrSet('b', () => 2);
    await users.getOrSet('c', () => 3);
    await users.getOrSet('c', () => 4);
    expect(await users.deleteMany(['a', 'c', 'nope'])).toBe(2);
    expect(users.stats.snapshot()).toMatchObject({ hits: 2, misses: 2, sets: 2, deletes: 2, errors: 0 });
    expect(users2.stats.snapshot()).toMatchObject({ hits: 1, misses: 1, sets: 2, deletes: 0 });
    expect(inner.stats.snapshot()).toMatchObject({ hits: 3, misses: 3, sets: 4, deletes: 2 });
  });

  it('counts and reports backend failures of its own calls once', async () => {
    class FailingCache extends MapCache {
      fail = false;
      protected override async readEntry(key: string): Promise<StoredEntry | undefined> {
        if (this.fail) throw new Error('disk on fire');
        return super.readEntry(key);
      }
    }
    const inner = new FailingCache();
    const users = namespaced(inner, 'users');
    const others = namespaced(inner, 'others');
    const errors: unknown[] = [];
    users.on('error', (payload) => errors.push(payload.key ?? 'no key'));
    inner.fail = true;
    await expect(users.get('a')).rejects.toMatchObject({ code: CacheErrorCode.error });
    await expect(users.getMany(['a', 'b'])).rejects.toMatchObject({ code: CacheErrorCode.error });
    await expect(others.get('a')).rejects.toMatchObject({ code: CacheErrorCode.error });
    await expect(others.getMany(['a'])).rejects.toMatchObject({ code: CacheErrorCode.error });
    expect(users.stats.errors).toBe(2);
    expect(others.stats.errors).toBe(2);
    expect(errors).toEqual(['a', 'no key']);
  });
});

describe('namespaced delegation', () => {
  it('needs the prefixed key to fit the inner key limit', async () => {
    const inner = new MapCache({ maxKeyBytes: 16 });
    const users = namespaced(inner, 'users');
    await users.set('k'.repeat(10), 1);
    await expectCacheError(() => users.set('k'.repeat(11), 1), CacheKeyError, CacheErrorCode.keyInvalid);
    await expectCacheError(() => users.get(''), CacheKeyError, CacheErrorCode.keyInvalid);
    expect(innerKeys(inner)).toEqual([`users:${'k'.repeat(10)}`]);
  });

  it('runs getOrSet in the inner cache: one factory for callers of the same namespace, unprefixed ctx.key', async () => {
    const inner = new MapCache();
    const first = namespaced(inner, 'users');
    const second = namespaced(inner, 'users');
    const keys: string[] = [];
    const factory = async ({ key }: { key: string }) => {
      keys.push(key);
      await new Promise((r) => setTimeout(r, 5));
      return 'v';
    };
    expect(await Promise.all([first.getOrSet('k', factory), second.getOrSet('k', factory)])).toEqual([
      'v',
      'v',
    ]);
    expect(keys).toEqual(['k']);
    expect(innerKeys(inner)).toEqual(['users:k']);
  });

  it('names the unprefixed key in getOrThrow errors', async () => {
    const users = namespaced(new MapCache(), 'users');
    const error = await users.getOrThrow('k').then(
      () => undefined,
      (e: unknown) => e as CacheError,
    );
    expect(error).toBeInstanceOf(CacheKeyError);
    expect([error?.code, error?.key]).toEqual([CacheErrorCode.keyMissing, 'k']);
  });

  it('does not close the inner cache unless closeInner is set', async () => {
    const inner = new MapCache();
    const users = namespaced(inner, 'users');
    await users.set('k', 1);
    await users.close();
    expect(await inner.get('users:k')).toBe(1);
    await expectCacheError(() => users.get('k'), CacheConfigError, CacheErrorCode.config);
    const owning = new NamespacedCache(inner, 'users', { closeInner: true });
    await owning.close();
    await expectCacheError(() => inner.get('users:k'), CacheConfigError, CacheErrorCode.config);
  });

  it('takes a name and a separator', async () => {
    const inner = new MapCache({ name: 'main' });
    expect(namespaced(inner, 'users').name).toBe('main/users');
    const slash = namespaced(inner, 'users', { separator: '/', name: 'u' });
    expect(slash.name).toBe('u');
    await slash.set('a/b', 1);
    expect(innerKeys(inner)).toEqual(['users/a/b']);
  });
});

describe('namespaced keys()', () => {
  it('stops the inner scan when the consumer stops early', async () => {
    const inner = new MapCache();
    const users = namespaced(inner, 'users');
    await users.setMany([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const seen: string[] = [];
    for await (const key of users.keys()) {
      seen.push(key);
      if (seen.length === 2) break;
    }
    expect(seen).toHaveLength(2);
    expect(await collectSorted(users.keys({ prefix: 'b' }))).toEqual(['b']);
  });
});
