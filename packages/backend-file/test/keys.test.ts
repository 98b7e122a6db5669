/**
 * Keys drawn from the whole UTF-16 range, lone surrogates included: on files every key either
 * stays distinct (reads back its own value, `keys()` lists it exactly) or is refused with
 * `CACHE_KEY_INVALID` before anything is written; the same for tags, prefixes and patterns.
 */
import { CacheKeyError } from '@cache/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { makeCache } from './helpers/setup.js';
import { listTree } from './helpers/temp-dir.js';

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => {
      expect(error).toBeInstanceOf(CacheKeyError);
      return (error as CacheKeyError).code;
    },
  );
}

const valid = (key: string) => key.length > 0 && key.isWellFormed() && Buffer.byteLength(key) <= 1024;

describe('keys from the whole UTF-16 range', () => {
  test('the U+FFFD trio: well-formed keys stay apart, lone surrogates are refused everywhere', async () => {
    const { cache, dir } = await makeCache();
    await cache.set('user:\uFFFD', 'replacement');
    for (const key of ['user:\uD800', 'user:\uDC00', 'tenant\uD800']) {
      expect(await code(cache.set(key, 'x'))).toBe('CACHE_KEY_INVALID');
      expect(await code(cache.get(key))).toBe('CACHE_KEY_INVALID');
      expect(await code(cache.add(key, 'x'))).toBe('CACHE_KEY_INVALID');
      expect(await code(cache.delete(key))).toBe('CACHE_KEY_INVALID');
      expect(await code(cache.getOrSet(key, () => 'x', { lock: true }))).toBe('CACHE_KEY_INVALID');
      expect(await code(cache.set('k', 'x', { tags: [key] }))).toBe('CACHE_KEY_INVALID');
      expect(await code(cache.invalidateTags([key]))).toBe('CACHE_KEY_INVALID');
      expect(await code(cache.clear({ prefix: key }))).toBe('CACHE_KEY_INVALID');
      expect(await code(cache.deleteMatching(`${key}*`))).toBe('CACHE_KEY_INVALID');
      expect(
        await code(
          (async () => {
            for await (const _ of cache.keys({ prefix: key }));
          })(),
        ),
      ).toBe('CACHE_KEY_INVALID');
    }
    expect(await cache.get('user:\uFFFD')).toBe('replacement');
    expect(await listTree(dir)).toHaveLength(2);
  });

  test('property: each key reads back its own value or is refused with CACHE_KEY_INVALID', {
    timeout: 120_000,
  }, async () => {
    const { cache } = await makeCache();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 12 }), { minLength: 1, maxLength: 12 }),
        async (keys) => {
          round++;
          await cache.clear();
          for (const [i, key] of keys.entries()) {
            const refused = await code(cache.set(key, `${round}:${i}`));
            expect(refused).toBe(valid(key) ? undefined : 'CACHE_KEY_INVALID');
          }
          const stored = keys.filter(valid);
          for (const [i, key] of keys.entries()) {
            if (valid(key)) expect(await cache.get(key)).toBe(`${round}:${i}`);
            else expect(await code(cache.get(key))).toBe('CACHE_KEY_INVALID');
          }
          const listed: string[] = [];
          for await (const key of cache.keys()) listed.push(key);
          expect(listed.sort()).toEqual([...stored].sort());
        },
      ),
      { numRuns: 100 },
    );
  });
});
