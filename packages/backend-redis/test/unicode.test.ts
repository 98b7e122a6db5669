// Strings that are not well-formed UTF-16 (lone surrogates) would be stored by Redis as U+FFFD and
// merge distinct keys, tags and prefixes. Every RedisCache path refuses them with CacheKeyError
// (CACHE_KEY_INVALID) before Redis is touched; well-formed keys from the whole UTF-16 range each
// get their own Redis key.
import { CacheConfigError, CacheErrorCode, CacheKeyError } from '@cache/core';
import { uniquePrefix } from '@cache/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RedisCache } from '../src/index.js';
import { escapeMatch } from '../src/internal/patterns.js';
import { makeCache, REDIS_URL, rawRedis, scanAll } from './helpers/redis.js';

const INVALID = CacheErrorCode.keyInvalid;

async function rejectsWith(run: () => Promise<unknown>, code: string): Promise<void> {
  await expect(run()).rejects.toMatchObject({ code });
}

describe('the prefix option', () => {
  it('refuses a prefix with a lone surrogate (CacheKeyError) and an empty or non-string one (CacheConfigError)', () => {
    for (const prefix of ['tenant\uD800:', 'tenant\uDC00:', '\uDE00\uD83D', '\uD83D']) {
      const make = () => new RedisCache({ url: REDIS_URL, prefix, commandTimeout: 1000 });
      expect(make).toThrow(CacheKeyError);
      try {
        make();
      } catch (error) {
        expect((error as CacheKeyError).code).toBe(INVALID);
      }
    }
    for (const prefix of ['', 42, null]) {
      expect(() => new RedisCache({ url: REDIS_URL, prefix: prefix as string })).toThrow(CacheConfigError);
    }
  });

  it("keeps 'tenant\\uFFFD:' and 'tenant\\uD83D\\uDE00:' apart; clear() of one leaves the other", async () => {
    const base = uniquePrefix('unicode');
    const a = makeCache<string>({ prefix: `${base}\uFFFD:` });
    const b = makeCache<string>({ prefix: `${base}\uD83D\uDE00:` });
    await a.set('k', 'a');
    await b.set('k', 'b');
    expect([await a.get('k'), await b.get('k')]).toEqual(['a', 'b']);
    await a.clear();
    expect([await a.get('k'), await b.get('k')]).toEqual([undefined, 'b']);
  });
});

describe('every path refuses ill-formed strings before Redis is touched', () => {
  it('keys, tags, prefixes and patterns of every method, and entryKey/tagKey', async () => {
    const cache = makeCache();
    const raw = rawRedis();
    for (const bad of ['k\uD800', 'k\uDC00', '\uDFFF\uD800']) {
      await rejectsWith(() => cache.get(bad), INVALID);
      await rejectsWith(() => cache.getOrThrow(bad), INVALID);
      await rejectsWith(() => cache.getEntry(bad), INVALID);
      await rejectsWith(() => cache.has(bad), INVALID);
      await rejectsWith(() => cache.set(bad, 1), INVALID);
      await rejectsWith(() => cache.add(bad, 1), INVALID);
      await rejectsWith(() => cache.delete(bad), INVALID);
      await rejectsWith(() => cache.getMany(['ok', bad]), INVALID);
      await rejectsWith(
        () =>
          cache.setMany([
            ['ok', 1],
            [bad, 2],
          ]),
        INVALID,
      );
      await rejectsWith(() => cache.deleteMany(['ok', bad]), INVALID);
      await rejectsWith(() => cache.getOrSet(bad, () => 1, { lock: true }), INVALID);
      await rejectsWith(() => cache.set('ok', 1, { tags: [bad] }), INVALID);
      await rejectsWith(() => cache.invalidateTags(['t', bad]), INVALID);
      await rejectsWith(() => cache.clear({ prefix: bad }), INVALID);
      await rejectsWith(async () => {
        for await (const _ of cache.keys({ prefix: bad })) break;
      }, INVALID);
      await rejectsWith(() => cache.deleteMatching(`*${bad}`), INVALID);
      expect(() => cache.entryKey(bad)).toThrow(CacheKeyError);
      expect(() => cache.tagKey(bad)).toThrow(CacheKeyError);
    }
    // Nothing reached Redis: not even the 'ok' key of the refused many-key calls.
    expect(await scanAll(raw, `${escapeMatch(cache.prefix)}*`)).toEqual([]);
  });
});

/** Strings of UTF-16 units from the whole range (lone surrogates included), short so that lossy encodings collide. */
const keySets = fc.uniqueArray(
  fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
    fc.constantFrom('\uD800', '\uDC00', '\uFFFD', '\uD83D\uDE00', '\uDE00\uD83D', 'a\uDBFF', 'a\uFFFD'),
    fc
      .array(fc.integer({ min: 0xd7fe, max: 0xe001 }), { minLength: 1, maxLength: 3 })
      .map((codes) => String.fromCharCode(...codes)),
  ),
  { minLength: 1, maxLength: 12 },
);

describe('keys from the whole UTF-16 range (property)', () => {
  it('each well-formed key is its own Redis key and reads back its value; ill-formed ones are refused with CACHE_KEY_INVALID', {
    timeout: 60_000,
  }, async () => {
    const raw = rawRedis();
    let runs = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(keySets, async (keys) => {
        runs++;
        const cache = makeCache<number>();
        const stored: string[] = [];
        for (const [i, key] of keys.entries()) {
          if (key.isWellFormed()) {
            await cache.set(key, i, { tags: [key] });
            stored.push(key);
          } else {
            refused++;
            await rejectsWith(() => cache.set(key, i), INVALID);
            await rejectsWith(() => cache.add(key, i), INVALID);
            await rejectsWith(() => cache.set('x', i, { tags: [key] }), INVALID);
          }
        }
        // One Redis entry per stored key, and each key reads its own value.
        const entries = await scanAll(raw, `${escapeMatch(cache.prefix)}e:*`);
        expect(entries).toHaveLength(stored.length);
        expect(await cache.getMany(stored)).toEqual(stored.map((key) => keys.indexOf(key)));
        const listed: string[] = [];
        for await (const key of cache.keys()) listed.push(key);
        expect(listed.sort()).toEqual([...stored].sort());
        await cache.close();
      }),
      { numRuns: 150, seed: 0x7e57 },
    );
    expect(runs).toBe(150);
    expect(refused).toBeGreaterThan(0);
  });
});
