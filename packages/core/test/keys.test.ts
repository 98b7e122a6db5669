import { describe, expect, it } from 'vitest';
import { CacheKeyError, globPrefix, globToRegExp, validateKey } from '../src/index.js';

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

describe('globToRegExp', () => {
  it('matches * as any run and ? as one character, everything else literally', () => {
    const re = globToRegExp('user:*:p?');
    expect(re.test('user:42:p1')).toBe(true);
    expect(re.test('user::pX')).toBe(true);
    expect(re.test('user:42:p')).toBe(false);
    expect(re.test('user:42:p12')).toBe(false);
    expect(globToRegExp('a.b[c]').test('a.b[c]')).toBe(true);
    expect(globToRegExp('a.b[c]').test('axb[c]')).toBe(false);
    expect(globToRegExp('*').test('line\nbreak')).toBe(true);
    expect(globToRegExp('?').test('🔑')).toBe(true);
  });

  it('finds the literal prefix', () => {
    expect(globPrefix('user:*')).toBe('user:');
    expect(globPrefix('a?b*')).toBe('a');
    expect(globPrefix('exact')).toBe('exact');
  });
});
