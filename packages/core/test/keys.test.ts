import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CacheConfigError, CacheKeyError } from '../src/index.js';
import { globMatcher, globPrefix, validateKey, validatePrefix, validateTags } from '../src/backend.js';

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as CacheKeyError).code;
  }
  return undefined;
}

describe('validateKey', () => {
  it('accepts any character', () => {
    for (const key of ['/', '..', '*', ':', 'a b', '🔑', '\u0000', '../../etc/passwd']) {
      expect(() => validateKey(key)).not.toThrow();
    }
  });

  it('refuses empty, non-string and over-long keys with CACHE_KEY_INVALID', () => {
    expect(codeOf(() => validateKey(''))).toBe('CACHE_KEY_INVALID');
    expect(codeOf(() => validateKey(42))).toBe('CACHE_KEY_INVALID');
    expect(codeOf(() => validateKey(undefined))).toBe('CACHE_KEY_INVALID');
    expect(codeOf(() => validateKey('a'.repeat(1025)))).toBe('CACHE_KEY_INVALID');
    expect(() => validateKey(new String('a'))).toThrow(CacheKeyError);
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(() => validateKey('a'.repeat(1024))).not.toThrow();
    expect(() => validateKey('é'.repeat(512))).not.toThrow();
    expect(codeOf(() => validateKey('é'.repeat(513)))).toBe('CACHE_KEY_INVALID');
    expect(codeOf(() => validateKey('🔑'.repeat(257)))).toBe('CACHE_KEY_INVALID');
    expect(codeOf(() => validateKey('abcd', 3))).toBe('CACHE_KEY_INVALID');
  });
});

/** The reference: dynamic programming over code points, obviously right and never exponential. */
function referenceGlob(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let row = new Array<boolean>(t.length + 1).fill(false);
  row[0] = true;
  for (const c of p) {
    const next = new Array<boolean>(t.length + 1).fill(false);
    if (c === '*') {
      let any = false;
      for (let j = 0; j <= t.length; j++) {
        any ||= row[j] as boolean;
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= t.length; j++) next[j] = (row[j - 1] as boolean) && (c === '?' || c === t[j - 1]);
    }
    row = next;
  }
  return row[t.length] as boolean;
}

describe('well-formed strings', () => {
  it('refuses keys, tags and prefixes that hold a lone surrogate with CACHE_KEY_INVALID', () => {
    for (const bad of ['user:\uD800', 'user:\uDC00', '\uDBFFx', 'a\uDC00\uD800b']) {
      expect(codeOf(() => validateKey(bad))).toBe('CACHE_KEY_INVALID');
      expect(codeOf(() => validateTags([bad]))).toBe('CACHE_KEY_INVALID');
      expect(codeOf(() => validatePrefix(bad))).toBe('CACHE_KEY_INVALID');
      expect(codeOf(() => globMatcher(bad))).toBe('CACHE_KEY_INVALID');
    }
    expect(() => validateKey('user:\uFFFD')).not.toThrow();
    expect(() => validateKey('user:\uD83D\uDD11')).not.toThrow();
  });

  it('accepts a key exactly when its UTF-8 bytes decode back to it (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (key) => {
        fc.pre(key.length > 0);
        const roundTrips = Buffer.from(key, 'utf8').toString('utf8') === key;
        expect(codeOf(() => validateKey(key))).toBe(roundTrips ? undefined : 'CACHE_KEY_INVALID');
      }),
      { numRuns: 2000, seed: 10 },
    );
  });

  it('refuses tags that are not non-empty strings with CACHE_CONFIG', () => {
    expect(codeOf(() => validateTags('t'))).toBe('CACHE_CONFIG');
    expect(codeOf(() => validateTags(['']))).toBe('CACHE_CONFIG');
    expect(codeOf(() => validateTags(['x'.repeat(1025)]))).toBe('CACHE_CONFIG');
    expect(validateTags(['a', 'b', 'a'])).toEqual(['a', 'b']);
    expect(() => validatePrefix(3)).toThrow(CacheConfigError);
    expect(validatePrefix('')).toBe(undefined);
  });
});

describe('globMatcher', () => {
  it('matches * as any run and ? as one character, everything else literally', () => {
    const m = globMatcher('user:*:p?');
    expect(m('user:42:p1')).toBe(true);
    expect(m('user::pX')).toBe(true);
    expect(m('user:42:p')).toBe(false);
    expect(m('user:42:p12')).toBe(false);
    expect(globMatcher('a.b[c]')('a.b[c]')).toBe(true);
    expect(globMatcher('a.b[c]')('axb[c]')).toBe(false);
    expect(globMatcher('*')('line\nbreak')).toBe(true);
    expect(globMatcher('?')('🔑')).toBe(true);
    expect(globMatcher('a*a')('a')).toBe(false);
    expect(globMatcher('ab*ba')('aba')).toBe(false);
  });

  it('agrees with a dynamic-programming reference on random globs and keys (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '?', '🔑', 'é');
    const text = fc
      .array(fc.constantFrom('a', 'b', '🔑', 'é', '*', '?'), { maxLength: 12 })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 8 }).map((cs) => cs.join('')),
        text,
        (pattern, key) => {
          expect(globMatcher(pattern)(key)).toBe(referenceGlob(pattern, key));
        },
      ),
      { numRuns: 5000, seed: 8 },
    );
  });

  it('decides pathological globs without backtracking', () => {
    // With a backtracking regex this pair took 15 s; the matcher does a bounded amount of work.
    const key = 'a'.repeat(200);
    for (const pattern of ['*a*a*a*a*b', '*a*a*a*a*a*a*a*a*a*a*b', '*?a*?a*?a*?b']) {
      expect(globMatcher(pattern)(key)).toBe(false);
      expect(globMatcher(pattern)(`${key}b`)).toBe(true);
    }
  });

  it('finds the literal prefix', () => {
    expect(globPrefix('user:*')).toBe('user:');
    expect(globPrefix('a?b*')).toBe('a');
    expect(globPrefix('exact')).toBe('exact');
  });
});
