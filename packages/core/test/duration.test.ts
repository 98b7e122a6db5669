import { expectCacheError } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { CacheConfigError, parseByteSize, parseDuration } from '../src/index.js';
import {
  MAX_LIFETIME_MS,
  MAX_TIMER_MS,
  parseLifetime,
  parsePositiveInteger,
  parseTimerDuration,
  parseTtl,
} from '../src/backend.js';

/** Asserts that `run` throws a CacheConfigError with code CACHE_CONFIG. */
function expectConfigError(run: () => unknown): Promise<CacheConfigError> {
  return expectCacheError(run, CacheConfigError, 'CACHE_CONFIG');
}

const DAY = 86_400_000;

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

  it.each([['0'], ['-1MB'], ['lots'], [0], [0.5], ['0.5'], ['0.9B'], [Number.POSITIVE_INFINITY]])(
    'refuses %s',
    (input) => {
      expect(() => parseByteSize(input)).toThrow(CacheConfigError);
    },
  );
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

describe('parseTimerDuration', () => {
  it('takes delays up to 2^31-1 ms, the longest that setTimeout and setInterval honour', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
    expect(parseTimerDuration(MAX_TIMER_MS, 'timeout')).toBe(MAX_TIMER_MS);
    expect(parseTimerDuration('24d', 'timeout')).toBe(24 * DAY);
    expect(parseTimerDuration('596h', 'timeout')).toBe(596 * 3_600_000);
    expect(parseTimerDuration(1, 'timeout')).toBe(1);
    expect(parseTimerDuration('0.5ms', 'timeout')).toBe(0.5);
  });

  it.each([[MAX_TIMER_MS + 1], [2 ** 31], ['25d'], ['30d'], ['597h'], [1e300], [Number.MAX_VALUE]])(
    'refuses %s with CACHE_CONFIG (a timer would fire after 1 ms)',
    async (value) => {
      await expectConfigError(() => parseTimerDuration(value, 'timeout'));
      await expectConfigError(() => parseTimerDuration(value, 'timeout', 'none'));
    },
  );

  it('refuses Infinity unless it means no timer', async () => {
    await expectConfigError(() => parseTimerDuration(Number.POSITIVE_INFINITY, 'lock.lease'));
    await expectConfigError(() => parseTimerDuration('Infinity', 'lock.lease', 'refuse'));
    expect(parseTimerDuration(Number.POSITIVE_INFINITY, 'timeout', 'none')).toBe(Number.POSITIVE_INFINITY);
    expect(parseTimerDuration('infinity', 'timeout', 'none')).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses what parseDuration refuses', async () => {
    for (const value of [0, -1, Number.NaN, Number.NEGATIVE_INFINITY, 'soon', '', null, undefined, {}])
      await expectConfigError(() => parseTimerDuration(value as never, 'timeout', 'none'));
  });
});

describe('parseLifetime', () => {
  it('takes lifetimes up to 1000 years, and Infinity', () => {
    expect(MAX_LIFETIME_MS).toBe(1000 * 365.25 * DAY);
    expect(parseLifetime(MAX_LIFETIME_MS, 'ttl')).toBe(MAX_LIFETIME_MS);
    expect(parseLifetime('365250d', 'ttl')).toBe(MAX_LIFETIME_MS);
    expect(parseLifetime('30d', 'ttl')).toBe(30 * DAY);
    expect(parseLifetime(Number.POSITIVE_INFINITY, 'ttl')).toBe(Number.POSITIVE_INFINITY);
    // Sums with the current time stay exact integers.
    expect(Number.isSafeInteger(Date.now() + MAX_LIFETIME_MS * 2)).toBe(true);
  });

  it.each([[MAX_LIFETIME_MS + 1], ['365251d'], [1e300], [Number.MAX_VALUE], [2 ** 53]])(
    'refuses %s with CACHE_CONFIG',
    async (value) => {
      await expectConfigError(() => parseLifetime(value, 'staleIfError'));
    },
  );

  it('refuses what parseDuration refuses', async () => {
    for (const value of [0, -1, Number.NaN, Number.NEGATIVE_INFINITY, 'soon', null])
      await expectConfigError(() => parseLifetime(value as never, 'ttl'));
  });
});

describe('parseTtl limits', () => {
  it('takes a finite TTL up to 1000 years and maps Infinity to never', () => {
    expect(parseTtl(MAX_LIFETIME_MS)).toBe(MAX_LIFETIME_MS);
    expect(parseTtl('30d')).toBe(30 * DAY);
    expect(parseTtl('Infinity')).toBeUndefined();
  });

  it.each([[MAX_LIFETIME_MS + 1], [1e300], ['400000d'], [Number.MAX_VALUE]])(
    'refuses %s with CACHE_CONFIG (beyond what Redis PX takes)',
    async (value) => {
      await expectConfigError(() => parseTtl(value));
    },
  );
});
