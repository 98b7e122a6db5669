import { MemoryCache } from '@cache/backend-memory';
import { type Cache, type CacheError, CacheErrorCode, CacheKeyError } from '@cache/core';
import type { StoredEntry } from '@cache/core/backend';
import { collectSorted, MapCache } from '@cache/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { namespaced, namespacePrefix } from '../src/index.js';

/** Every character `namespacePrefix` takes as a separator (one ASCII character no encoded name holds). */
const SEPARATORS = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)).filter((char) => {
  try {
    namespacePrefix('n', char);
    return true;
  } catch {
    return false;
  }
});

/** Characters that make collisions likely: separators, `%`, hex digits, letters, non-ASCII. */
const nameChar = fc.oneof(
  fc.constantFrom(...SEPARATORS),
  fc.constantFrom('%', '2', '3', 'A', 'F', 'a', 'b', '-', '.', '_', '~', 'é', '→', '😀'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const name = fc.string({ unit: nameChar, minLength: 1, maxLength: 6 });
const separator = fc.constantFrom(...SEPARATORS);
type Level = readonly [string, string];
const level: fc.Arbitrary<Level> = fc.tuple(name, separator);
const tail = fc.string({ unit: nameChar, maxLength: 4 });

/**
 * Two levels, often close to each other (the same name with another separator, a name that
 * extends the other with or without its separator), since independent draws rarely collide.
 */
const levelPair: fc.Arbitrary<readonly [Level, Level]> = fc
  .tuple(
    fc.oneof(
      fc.tuple(level, level),
      fc.tuple(level, separator, tail).map(([[n, s1], s2, t]): [Level, Level] => [
        [n, s1],
        [n + s1 + t, s2],
      ]),
      fc.tuple(level, separator).map(([[n, s1], s2]): [Level, Level] => [
        [n, s1],
        [n, s2],
      ]),
      fc.tuple(level, separator, tail).map(([[n, s1], s2, t]): [Level, Level] => [
        [n, s1],
        [n + t, s2],
      ]),
      fc.tuple(level, tail).map(([[n, s], t]): [Level, Level] => [
        [n, s],
        [n + encodeURIComponent(s) + t, s],
      ]),
    ),
    fc.boolean(),
  )
  .map(([[a, b], swap]) => (swap ? [b, a] : [a, b]));

/** A chain of nested namespaces, outermost first. */
const chain = fc.array(level, { minLength: 1, maxLength: 3 });

/** Two chains that share their first levels and then differ by a close pair, or one nests in the other. */
const chainPair: fc.Arbitrary<readonly [Level[], Level[]]> = fc
  .tuple(fc.array(level, { maxLength: 2 }), levelPair, chain, chain, fc.boolean(), fc.boolean())
  .map(([common, [l1, l2], rest1, rest2, deeper1, deeper2]) => [
    [...common, l1, ...(deeper1 ? rest1 : [])],
    [...common, l2, ...(deeper2 ? rest2 : [])],
  ]);

function chainPrefix(levels: readonly (readonly [string, string])[]): string {
  return levels.map(([n, s]) => namespacePrefix(n, s)).join('');
}

/** Whether `a` is `b` or an ancestor of `b` (the same first levels). */
function isAncestorOrSelf(
  a: readonly (readonly [string, string])[],
  b: readonly (readonly [string, string])[],
) {
  return a.length <= b.length && a.every(([n, s], i) => b[i]?.[0] === n && b[i]?.[1] === s);
}

function nest(inner: Cache, levels: readonly (readonly [string, string])[]): Cache {
  let cache = inner;
  for (const [n, s] of levels) cache = namespaced(cache, n, { separator: s });
  return cache;
}

async function codeOf(run: () => unknown): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(CacheKeyError);
    return (error as CacheError).code;
  }
}

/**
 * A cache that keys its entries by their UTF-8 bytes, as the file and Redis backends do: a lone
 * surrogate becomes U+FFFD, so two strings that differ only there name one entry.
 */
class Utf8KeyedCache extends MapCache {
  static bytes(key: string): string {
    return Buffer.from(key, 'utf8').toString('utf8');
  }
  protected override readEntry(key: string): Promise<StoredEntry | undefined> {
    return super.readEntry(Utf8KeyedCache.bytes(key));
  }
  protected override writeEntry(key: string, entry: StoredEntry): Promise<void> {
    return super.writeEntry(Utf8KeyedCache.bytes(key), entry);
  }
  protected override addEntry(key: string, entry: StoredEntry): Promise<boolean> {
    return super.addEntry(Utf8KeyedCache.bytes(key), entry);
  }
  protected override removeEntry(key: string): Promise<boolean> {
    return super.removeEntry(Utf8KeyedCache.bytes(key));
  }
}

describe('namespace prefixes are injective whatever the names and separators', () => {
  it("keeps 'a' out of 'a:b' with separator '/' (the reported collision)", async () => {
    const inner = new MemoryCache();
    const a = namespaced(inner, 'a');
    const ab = namespaced(inner, 'a:b', { separator: '/' });
    await ab.set('b/k', 'theirs');
    expect(ab.prefix).toBe('a%3Ab/');
    expect(await a.get('b/b/k')).toBeUndefined();
    expect(await collectSorted(a.keys())).toEqual([]);
    expect(await a.deleteMatching('*')).toBe(0);
    await a.clear();
    expect(await ab.get('b/k')).toBe('theirs');
    expect(await collectSorted(inner.keys())).toEqual(['a%3Ab/b/k']);
  });

  it('no prefix of a (name, separator) pair is a prefix of another pair’s (property)', () => {
    fc.assert(
      fc.property(levelPair, ([[n1, s1], [n2, s2]]) => {
        fc.pre(n1 !== n2 || s1 !== s2);
        const p1 = namespacePrefix(n1, s1);
        const p2 = namespacePrefix(n2, s2);
        expect(p1.startsWith(p2) || p2.startsWith(p1)).toBe(false);
      }),
      { numRuns: 20_000 },
    );
  });

  it('nested chains are disjoint unless one is an ancestor of the other (property)', () => {
    fc.assert(
      fc.property(fc.oneof(chainPair, fc.tuple(chain, chain)), ([c1, c2]) => {
        const p1 = chainPrefix(c1);
        const p2 = chainPrefix(c2);
        expect(p2.startsWith(p1)).toBe(isAncestorOrSelf(c1, c2));
        expect(p1.startsWith(p2)).toBe(isAncestorOrSelf(c2, c1));
      }),
      { numRuns: 10_000 },
    );
  });

  it('two namespaces that differ never read, list, clear, match or invalidate each other’s keys (memory, property)', async () => {
    const key = fc.string({ unit: nameChar, minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(
        chainPair,
        fc.uniqueArray(key, { minLength: 1, maxLength: 5 }),
        fc.uniqueArray(key, { minLength: 1, maxLength: 5 }),
        key,
        async ([c1, c2], keys1, keys2, clearPrefix) => {
          fc.pre(!isAncestorOrSelf(c1, c2) && !isAncestorOrSelf(c2, c1));
          const inner = new MemoryCache();
          const one = nest(inner, c1);
          const two = nest(inner, c2);
          await one.setMany(
            keys1.map((k) => [k, `1|${k}`]),
            { tags: ['t'] },
          );
          await two.setMany(
            keys2.map((k) => [k, `2|${k}`]),
            { tags: ['t'] },
          );
          const theirs = keys2.map((k) => `2|${k}`);
          expect(await collectSorted(one.keys())).toEqual([...keys1].sort());
          expect(await collectSorted(two.keys())).toEqual([...keys2].sort());
          for (const value of await one.getMany(keys2)) expect(theirs).not.toContain(value);
          await one.invalidateTags(['t']);
          await one.clear({ prefix: clearPrefix });
          await one.deleteMatching('*');
          expect(await collectSorted(one.keys())).toEqual([]);
          await one.setMany(keys1.map((k) => [k, `1|${k}`]));
          await one.clear();
          expect(await two.getMany(keys2)).toEqual(theirs);
          expect(await collectSorted(inner.keys())).toEqual(keys2.map((k) => chainPrefix(c2) + k).sort());
          await inner.close();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('names, separators and keys must be well-formed UTF-16', () => {
  it("refuses 'tenant\\uD800' and 'tenant\\uDC00' with CacheKeyError, so they share nothing", async () => {
    const inner = new Utf8KeyedCache();
    for (const bad of ['tenant\uD800', 'tenant\uDC00', '\uDC00\uD800', 'a\uD83D']) {
      expect(await codeOf(() => namespaced(inner, bad))).toBe(CacheErrorCode.keyInvalid);
      expect(await codeOf(() => namespacePrefix(bad, ':'))).toBe(CacheErrorCode.keyInvalid);
    }
    for (const bad of ['\uD800', '\uDC00']) {
      expect(await codeOf(() => namespaced(inner, 'tenant', { separator: bad }))).toBe(
        CacheErrorCode.keyInvalid,
      );
    }
    const replaced = namespaced(inner, 'tenant\uFFFD');
    const pair = namespaced(inner, 'tenant\uD83D\uDE00');
    await replaced.set('k', 'fffd');
    await pair.set('k', 'pair');
    expect([await replaced.get('k'), await pair.get('k')]).toEqual(['fffd', 'pair']);
    expect(await collectSorted(inner.keys())).toEqual(['tenant\uD83D\uDE00:k', 'tenant\uFFFD:k']);
  });

  it('refuses tags, prefixes and patterns with lone surrogates with CacheKeyError', async () => {
    const ns = namespaced(new Utf8KeyedCache(), 'tenant');
    await ns.set('k', 1);
    expect(await codeOf(() => ns.set('k', 2, { tags: ['t\uD800'] }))).toBe(CacheErrorCode.keyInvalid);
    expect(await codeOf(() => ns.invalidateTags(['t\uDC00']))).toBe(CacheErrorCode.keyInvalid);
    expect(await codeOf(() => ns.clear({ prefix: '\uD800' }))).toBe(CacheErrorCode.keyInvalid);
    expect(await codeOf(() => collectSorted(ns.keys({ prefix: '\uDC00' })))).toBe(CacheErrorCode.keyInvalid);
    expect(await codeOf(() => ns.deleteMatching('*\uD800'))).toBe(CacheErrorCode.keyInvalid);
    expect(await ns.get('k')).toBe(1);
  });

  it('keys and names from the whole UTF-16 range stay distinct or are refused with CACHE_KEY_INVALID (property)', async () => {
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
      fc.constantFrom('\uD800', '\uDC00', '\uFFFD', '\uD83D\uDE00', ':', '%'),
    );
    const utf16 = fc.string({ unit, minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(utf16, { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(utf16, { minLength: 1, maxLength: 8 }),
        async (names, keys) => {
          const inner = new Utf8KeyedCache();
          const written: [Cache, string, string][] = [];
          for (const n of names) {
            const code = await codeOf(() => namespaced(inner, n));
            expect(code).toBe(n.isWellFormed() ? undefined : CacheErrorCode.keyInvalid);
            if (code !== undefined) continue;
            const ns = namespaced(inner, n);
            for (const k of keys) {
              const value = `${n}|${k}`;
              const setCode = await codeOf(() => ns.set(k, value));
              expect(setCode).toBe(k.isWellFormed() ? undefined : CacheErrorCode.keyInvalid);
              if (setCode === undefined) written.push([ns, k, value]);
            }
          }
          for (const [ns, k, value] of written) expect(await ns.get(k)).toBe(value);
          expect(inner.entries.size).toBe(written.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
