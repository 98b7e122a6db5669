import { CacheConfigError, CacheErrorCode } from '@cache/core';
import { describe, expect, it } from 'vitest';
import { expectCacheError } from '../internal/expect-error.js';
import { collect, type Harness, sorted } from '../internal/harness.js';

const KEYS: readonly string[] = [
  'user:1',
  'user:22',
  'user:',
  'users:1',
  'a*b',
  'axb',
  'a[1]',
  'a1',
  'x😀y',
  'xy',
  'x.y',
  'a-b',
  'a\\b',
  'a/b/c',
  'a/c',
  '?q',
  'Aq',
  '^q$',
];

/** Glob cases: the pattern, then exactly what it removes. `*` any run, `?` one character, nothing else special. */
const GLOBS: readonly (readonly [string, readonly string[]])[] = [
  ['user:*', ['user:1', 'user:22', 'user:']],
  ['user:?', ['user:1']],
  ['user:??', ['user:22']],
  ['*:*', ['user:1', 'user:22', 'user:', 'users:1']],
  ['a*b', ['a*b', 'axb', 'a-b', 'a\\b']],
  ['a?b', ['a*b', 'axb', 'a-b', 'a\\b']],
  ['x?y', ['x😀y', 'x.y']],
  ['a[1]', ['a[1]']],
  ['a-b', ['a-b']],
  ['a\\b', ['a\\b']],
  ['x.y', ['x.y']],
  ['a/*', ['a/b/c', 'a/c']],
  ['?q', ['?q', 'Aq']],
  ['^q$', ['^q$']],
  ['*', KEYS],
  ['nothing*', []],
  ['user', []],
];

/** `keys()`, `clear()` and `deleteMatching()`: literal prefixes, glob semantics, exact counts. */
export function scanContract(h: Harness): void {
  describe('keys(), clear() and deleteMatching()', () => {
    it('keys() yields every live key once; keys({ prefix }) takes the prefix literally', async () => {
      const { cache } = await h.make();
      expect(await collect(cache.keys())).toEqual([]);
      await cache.setMany(KEYS.map((key) => [key, key] as const));
      expect(await collect(cache.keys())).toEqual(sorted(KEYS));
      expect(await collect(cache.keys({ prefix: '' }))).toEqual(sorted(KEYS));
      expect(await collect(cache.keys({ prefix: 'user:' }))).toEqual(sorted(['user:1', 'user:22', 'user:']));
      expect(await collect(cache.keys({ prefix: 'a*' }))).toEqual(['a*b']);
      expect(await collect(cache.keys({ prefix: 'a[' }))).toEqual(['a[1]']);
      expect(await collect(cache.keys({ prefix: '?' }))).toEqual(['?q']);
      expect(await collect(cache.keys({ prefix: 'x😀' }))).toEqual(['x😀y']);
      expect(await collect(cache.keys({ prefix: 'a\\' }))).toEqual(['a\\b']);
      expect(await collect(cache.keys({ prefix: 'zzz' }))).toEqual([]);
    });

    it('clear() removes everything', async () => {
      const { cache } = await h.make();
      await cache.setMany(KEYS.map((key) => [key, key] as const));
      await cache.clear();
      expect(await collect(cache.keys())).toEqual([]);
      expect(await cache.getMany(KEYS)).toEqual(KEYS.map(() => undefined));
      await cache.set('after', 1);
      expect(await collect(cache.keys())).toEqual(['after']);
    });

    it('clear({ prefix }) removes only keys that start with the literal prefix', async () => {
      const { cache } = await h.make();
      await cache.setMany(KEYS.map((key) => [key, key] as const));
      await cache.clear({ prefix: 'a*' });
      await cache.clear({ prefix: '?' });
      await cache.clear({ prefix: 'user:' });
      await cache.clear({ prefix: 'a[' });
      await cache.clear({ prefix: 'nothing' });
      const removed = ['a*b', '?q', 'user:1', 'user:22', 'user:', 'a[1]'];
      expect(await collect(cache.keys())).toEqual(sorted(KEYS.filter((key) => !removed.includes(key))));
    });

    it('clear() and deleteMatching() of one cache leave another cache made by create', async () => {
      const first = await h.make();
      const second = await h.make();
      await first.cache.setMany(KEYS.map((key) => [key, 'first'] as const));
      await second.cache.setMany(KEYS.map((key) => [key, 'second'] as const));
      await first.cache.clear();
      expect(await collect(second.cache.keys())).toEqual(sorted(KEYS));
      await first.cache.setMany(KEYS.map((key) => [key, 'first'] as const));
      expect(await first.cache.deleteMatching('*')).toBe(KEYS.length);
      await first.cache.clear({ prefix: 'user' });
      expect(await second.cache.getMany(KEYS)).toEqual(KEYS.map(() => 'second'));
      expect(await collect(first.cache.keys())).toEqual([]);
    });

    for (const [pattern, removed] of GLOBS) {
      it(`deleteMatching(${JSON.stringify(pattern)}) removes exactly ${removed.length} key(s)`, async () => {
        const { cache } = await h.make();
        await cache.setMany(KEYS.map((key) => [key, key] as const));
        expect(await cache.deleteMatching(pattern)).toBe(removed.length);
        expect(await collect(cache.keys())).toEqual(sorted(KEYS.filter((key) => !removed.includes(key))));
        expect(cache.stats.deletes).toBe(removed.length);
        expect(await cache.deleteMatching(pattern)).toBe(0);
      });
    }

    it('refuses bad patterns and prefixes with CacheConfigError', async () => {
      const { cache } = await h.make();
      await cache.set('a', 1);
      const code = CacheErrorCode.config;
      await expectCacheError(() => cache.deleteMatching(''), CacheConfigError, code);
      await expectCacheError(() => cache.deleteMatching(5 as unknown as string), CacheConfigError, code);
      await expectCacheError(
        () => collect(cache.keys({ prefix: 5 as unknown as string })),
        CacheConfigError,
        code,
      );
      await expectCacheError(() => cache.clear({ prefix: 5 as unknown as string }), CacheConfigError, code);
      expect(await cache.get('a')).toBe(1);
    });
  });
}
