import { MemoryCache } from '@cache/backend-memory';
import { type CacheError, CacheErrorCode, CacheConfigError, CacheKeyError } from '@cache/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type NamespacedCache, namespaced } from '../src/index.js';
import { collectSorted } from '@cache/test-utils';

/** What a call settled with: `'ok'`, or the class name and code of a CacheError (anything else fails the test). */
async function outcome(run: () => unknown): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof CacheConfigError || error instanceof CacheKeyError)) throw error;
    return (error as CacheError).code;
  }
}

/** Each method that takes options, called through a namespace with `options`. */
const CALLS: Record<string, (ns: NamespacedCache, options: never) => Promise<unknown>> = {
  set: (ns, options) => ns.set('k', 'new', options),
  add: (ns, options) => ns.add('fresh', 'new', options),
  setMany: (ns, options) => ns.setMany([['k', 'new']], options),
  getOrSet: (ns, options) => ns.getOrSet('fresh', () => 'new', options),
  keys: (ns, options) => collectSorted(ns.keys(options)),
  clear: (ns, options) => ns.clear(options),
};

describe('namespaced options', () => {
  it('refuses options that are not an object with CacheConfigError, touching nothing (memory)', async () => {
    const inner = new MemoryCache();
    const ns = namespaced(inner, 'users');
    await ns.set('k', 'old');
    for (const [method, call] of Object.entries(CALLS)) {
      for (const options of [null, 5, 'x', true, [], () => 1]) {
        expect([method, await outcome(() => call(ns, options as never))]).toEqual([
          method,
          CacheErrorCode.config,
        ]);
      }
    }
    expect(await collectSorted(inner.keys())).toEqual(['users:k']);
    expect(await ns.get('k')).toBe('old');
  });

  it('refuses bad ttl, tags and prefix values with CacheConfigError or CacheKeyError, touching nothing (memory)', async () => {
    const inner = new MemoryCache();
    const ns = namespaced(inner, 'users');
    await ns.set('k', 'old');
    const bad: [string, Record<string, unknown>, string][] = [
      ['set', { ttl: null }, CacheErrorCode.config],
      ['set', { ttl: {} }, CacheErrorCode.config],
      ['set', { ttl: -1 }, CacheErrorCode.config],
      ['set', { ttl: 1e300 }, CacheErrorCode.config],
      ['set', { tags: null }, CacheErrorCode.config],
      ['set', { tags: 't' }, CacheErrorCode.config],
      ['set', { tags: [1] }, CacheErrorCode.config],
      ['set', { tags: [''] }, CacheErrorCode.config],
      ['set', { tags: ['t\uD800'] }, CacheErrorCode.keyInvalid],
      ['add', { ttl: 'soon' }, CacheErrorCode.config],
      ['setMany', { tags: [null] }, CacheErrorCode.config],
      ['getOrSet', { ttl: 0 }, CacheErrorCode.config],
      ['getOrSet', { tags: {} }, CacheErrorCode.config],
      ['keys', { prefix: 5 }, CacheErrorCode.config],
      ['keys', { prefix: null }, CacheErrorCode.config],
      ['clear', { prefix: 5 }, CacheErrorCode.config],
      ['clear', { prefix: '\uDC00' }, CacheErrorCode.keyInvalid],
    ];
    for (const [method, options, code] of bad) {
      const call = CALLS[method] as (ns: NamespacedCache, options: never) => Promise<unknown>;
      expect([method, options, await outcome(() => call(ns, options as never))]).toEqual([
        method,
        options,
        code,
      ]);
    }
    expect(await collectSorted(inner.keys())).toEqual(['users:k']);
    expect(await ns.get('k')).toBe('old');
  });

  it('settles every call with a value or a CacheConfigError / CacheKeyError whatever the options (memory, property)', async () => {
    const value = fc.oneof(fc.anything(), fc.constantFrom(Number.NaN, -1, 0, '5s', [], ['t'], ['\uD800']));
    const options = fc.oneof(
      fc.anything(),
      fc.record(
        {
          ttl: value,
          tags: value,
          prefix: value,
          timeout: value,
          staleWhileRevalidate: value,
          staleIfError: value,
        },
        { requiredKeys: [] },
      ),
    );
    const inner = new MemoryCache();
    const ns = namespaced(inner, 'users');
    const neighbour = namespaced(inner, 'users2');
    await neighbour.set('k', 'theirs');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(CALLS)), options, async (method, opts) => {
        const call = CALLS[method] as (ns: NamespacedCache, options: never) => Promise<unknown>;
        await outcome(() => call(ns, opts as never));
        expect(await neighbour.get('k')).toBe('theirs');
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses unknown and mistyped constructor options with CacheConfigError', () => {
    const inner = new MemoryCache();
    for (const options of [{ seperator: '/' }, { name: 5 }, { closeInner: 'yes' }, null, 'x']) {
      expect(() => namespaced(inner, 'users', options as never)).toThrow(CacheConfigError);
    }
  });
});

describe('namespaced deleteMatching', () => {
  it("matches '*a*a*a*a*b' against 200-character keys without backtracking, correctly", async () => {
    const inner = new MemoryCache();
    const ns = namespaced(inner, 'users');
    const neighbour = namespaced(inner, 'users2');
    const keys = ['a'.repeat(200), `${'a'.repeat(199)}b`, `b${'a'.repeat(199)}`, `${'ab'.repeat(100)}`];
    await ns.setMany(keys.map((k) => [k, 1]));
    await neighbour.setMany(keys.map((k) => [k, 2]));
    expect(await ns.deleteMatching('*a*a*a*a*b')).toBe(2);
    expect(await collectSorted(ns.keys())).toEqual([keys[0], keys[2]].sort());
    expect(await neighbour.getMany(keys)).toEqual([2, 2, 2, 2]);
  });
});
