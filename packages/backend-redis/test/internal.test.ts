import { globMatcher } from '@cache/core/backend';
import { uniquePrefix } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { groupBySlot, keySlot } from '../src/internal/key-slot.js';
import { escapeMatch, globToMatch } from '../src/internal/patterns.js';
import { cleanUp, rawRedis, scanAll } from './helpers/redis.js';

describe('escapeMatch', () => {
  it('escapes * ? [ ] and backslash, nothing else', () => {
    expect(escapeMatch('a*b?c[d]e\\f:-^g')).toBe('a\\*b\\?c\\[d\\]e\\\\f:-^g');
    expect(escapeMatch('plain:prefix:')).toBe('plain:prefix:');
  });
});

describe('globToMatch: the Redis MATCH pattern of a toolkit glob', () => {
  it('keeps * , turns ? into * (Redis ? is one byte) and escapes the rest', () => {
    expect(globToMatch('user:*')).toBe('user:*');
    expect(globToMatch('a?b')).toBe('a*b');
    expect(globToMatch('[x]\\*')).toBe('\\[x\\]\\\\*');
  });

  // The property deleteMatching relies on: SCAN MATCH with the pattern selects every key that core's
  // globMatcher accepts (the scan's results are then filtered by globMatcher), on a real server.
  it('selects, on Redis, every key that core globMatcher accepts, and only those for globs without ?', async () => {
    const raw = rawRedis();
    const prefix = uniquePrefix('redis-glob');
    cleanUp(prefix);
    const keys = ['ab', 'a-b', 'aéb', 'a🔑b', 'a[x]b', 'a\\b', 'a*b', 'a?b', 'axyb', 'ba', 'a', ''];
    await raw.mset(...keys.flatMap((key) => [prefix + key, '1']));
    const globs = ['a?b', 'a*b', 'a[x]b', 'a\\b', 'a\\*', '*?', '?', '*', 'a*', '*b', 'a?', '??', 'a[*]b'];
    for (const glob of globs) {
      const selected = (await scanAll(raw, escapeMatch(prefix) + globToMatch(glob))).map((key) =>
        key.slice(prefix.length),
      );
      const matches = globMatcher(glob);
      const accepted = keys.filter((key) => matches(key)).sort();
      expect(
        selected.filter((key) => matches(key)),
        glob,
      ).toEqual(accepted);
      if (!glob.includes('?')) expect(selected, glob).toEqual(accepted);
    }
  });
});

describe('keySlot', () => {
  it('matches Redis CLUSTER KEYSLOT', () => {
    expect(keySlot('123456789')).toBe(12739);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
  });

  it('follows hash tags like Redis', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
  });

  it('groups indexes by slot in order', () => {
    const groups = groupBySlot(['{a}1', 'b', '{a}2']);
    expect(groups.get(keySlot('a'))).toEqual([0, 2]);
    expect(groups.get(keySlot('b'))).toEqual([1]);
  });
});
