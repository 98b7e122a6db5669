import { describe, expect, it } from 'vitest';
import {
  CacheConfigError,
  parseByteSize,
  parseDuration,
  parsePositiveInteger,
  parseTtl,
} from '../src/index.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1.5s', 1500],
    ['42', 42],
    [1234, 1234],
    [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('parses %s', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([[0], [-1], [Number.NaN], ['0s'], ['-5m'], ['ten seconds'], ['5 minutes'], [''], ['5w']])(
    'refuses %s with CACHE_CONFIG',
    (input) => {
      expect(() => parseDuration(input)).toThrow(CacheConfigError);
      try {
        parseDuration(input);
      } catch (error) {
        expect((error as CacheConfigError).code).toBe('CACHE_CONFIG');
      }
    },
  );

  it('refuses values that are not numbers or strings', () => {
    expect(() => parseDuration(null as unknown as number)).toThrow(CacheConfigError);
  });

  it('parseTtl maps Infinity and absence to never', () => {
    expect(parseTtl(undefined)).toBeUndefined();
    expect(parseTtl(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(parseTtl('2s')).toBe(2000);
  });
});

describe('parseByteSize', () => {
  it.each([
    ['512', 512],
    ['512B', 512],
    ['64KB', 65_536],
    ['500MB', 524_288_000],
    ['2GiB', 2_147_483_648],
    [100, 100],
  ])('parses %s', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });

  it.each([['0'], ['-1MB'], ['lots'], [0]])('refuses %s', (input) => {
    expect(() => parseByteSize(input)).toThrow(CacheConfigError);
  });
});

describe('parsePositiveInteger', () => {
  it('accepts integers and integer strings, refuses the rest', () => {
    expect(parsePositiveInteger(10, 'n')).toBe(10);
    expect(parsePositiveInteger('10', 'n')).toBe(10);
    expect(parsePositiveInteger(undefined, 'n')).toBeUndefined();
    for (const bad of [0, -1, 1.5, 'x', Number.NaN])
      expect(() => parsePositiveInteger(bad, 'n')).toThrow(CacheConfigError);
  });
});
