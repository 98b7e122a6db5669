import { describe, expect, it } from 'vitest';
import { groupBySlot, keySlot } from '../src/internal/key-slot.js';
import { escapeMatch, globToMatch } from '../src/internal/patterns.js';

describe('escapeMatch', () => {
  it('escapes * ? [ ] and backslash, nothing else', () => {
    expect(escapeMatch('a*b?c[d]e\\f:-^g')).toBe('a\\*b\\?c\\[d\\]e\\\\f:-^g');
    expect(escapeMatch('plain:prefix:')).toBe('plain:prefix:');
  });
});

describe('globToMatch', () => {
  it('keeps * , turns ? into * (Redis ? is one byte) and escapes the rest', () => {
    expect(globToMatch('user:*')).toBe('user:*');
    expect(globToMatch('a?b')).toBe('a*b');
    expect(globToMatch('[x]\\*')).toBe('\\[x\\]\\\\*');
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
