/**
 * `instanceof` and `isCacheError` across two copies of the error classes, as when an application
 * loads core's CommonJS build and a backend loads its ES module build. The second copy here is a
 * fresh instance of `errors.ts` (`vi.resetModules()`); tools/types/commonjs.test.ts does the same
 * with the real builds in one Node process.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as errors from '../src/errors.js';

type Errors = typeof errors;
const mine: Errors = { ...errors };
let other: Errors;

beforeAll(async () => {
  vi.resetModules();
  other = await import('../src/errors.js');
});

const classes = [
  'CacheError',
  'CacheKeyError',
  'CacheExpiredError',
  'CacheFullError',
  'CacheConnectionError',
  'CacheTimeoutError',
  'CacheSerializationError',
  'CacheInvalidationError',
  'CacheConfigError',
] as const;
type ClassName = (typeof classes)[number];

/** The classes each class's errors are instances of (itself and its ancestors). */
const lineage: Record<ClassName, readonly ClassName[]> = {
  CacheError: ['CacheError'],
  CacheKeyError: ['CacheKeyError', 'CacheError'],
  CacheExpiredError: ['CacheExpiredError', 'CacheKeyError', 'CacheError'],
  CacheFullError: ['CacheFullError', 'CacheError'],
  CacheConnectionError: ['CacheConnectionError', 'CacheError'],
  CacheTimeoutError: ['CacheTimeoutError', 'CacheError'],
  CacheSerializationError: ['CacheSerializationError', 'CacheError'],
  CacheInvalidationError: ['CacheInvalidationError', 'CacheError'],
  CacheConfigError: ['CacheConfigError', 'CacheError'],
};

describe('errors across two copies of core', () => {
  it('are really two copies', () => {
    expect(other.CacheError).not.toBe(mine.CacheError);
    expect(Object.getPrototypeOf(new other.CacheKeyError('x'))).not.toBe(mine.CacheKeyError.prototype);
  });

  it.each(classes)("an error made by the other copy's %s is an instance of the same classes here", (name) => {
    const error = new other[name]('x');
    const instanceOf = classes.filter((c) => error instanceof mine[c]);
    expect(instanceOf.sort()).toEqual([...lineage[name]].sort());
    // And the other way round.
    const back = new mine[name]('x');
    expect(classes.filter((c) => back instanceof other[c]).sort()).toEqual([...lineage[name]].sort());
  });

  it('goes by code: a CacheKeyError with code CACHE_KEY_MISSING is a CacheKeyError, not a CacheExpiredError', () => {
    const missing = new other.CacheKeyError('not found', { key: 'k' }, mine.CacheErrorCode.keyMissing);
    expect(missing instanceof mine.CacheKeyError).toBe(true);
    expect(missing instanceof mine.CacheExpiredError).toBe(false);
    expect(missing instanceof mine.CacheError).toBe(true);
    expect(missing instanceof mine.CacheFullError).toBe(false);
  });

  it('toCacheError returns an error of the other copy as is', () => {
    const error = new other.CacheTimeoutError('slow');
    expect(mine.toCacheError(error)).toBe(error);
  });

  it('isCacheError takes errors of both copies, with and without a code', () => {
    const full = new other.CacheFullError('full');
    expect(mine.isCacheError(full)).toBe(true);
    expect(mine.isCacheError(full, 'CACHE_FULL')).toBe(true);
    expect(mine.isCacheError(full, 'CACHE_CONFIG')).toBe(false);
    expect(mine.isCacheError(new mine.CacheConfigError('bad'), 'CACHE_CONFIG')).toBe(true);
    expect(other.isCacheError(new mine.CacheExpiredError('old'), 'CACHE_KEY_EXPIRED')).toBe(true);
  });

  it('isCacheError and instanceof refuse look-alikes without the brand', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'CACHE_FULL', key: undefined });
    expect(mine.isCacheError(lookAlike)).toBe(false);
    expect(lookAlike instanceof mine.CacheError).toBe(false);
    expect(lookAlike instanceof mine.CacheFullError).toBe(false);
    for (const value of [null, undefined, 'CACHE_FULL', 1, {}, { code: 'CACHE_FULL' }]) {
      expect(mine.isCacheError(value)).toBe(false);
      expect(value instanceof mine.CacheError).toBe(false);
    }
  });

  it('a class that extends one of the hierarchy checks prototypes only', () => {
    class RetryableError extends mine.CacheConnectionError {}
    class OtherRetryableError extends other.CacheConnectionError {}
    const plain = new other.CacheConnectionError('down');
    expect(plain instanceof RetryableError).toBe(false);
    expect(new RetryableError('down') instanceof RetryableError).toBe(true);
    expect(new OtherRetryableError('down') instanceof RetryableError).toBe(false);
    // An instance of a subclass is still an instance of the hierarchy's classes of either copy.
    expect(new OtherRetryableError('down') instanceof mine.CacheConnectionError).toBe(true);
    expect(new RetryableError('down') instanceof other.CacheError).toBe(true);
  });

  it('the brand is on the prototype: an error has no extra own property', () => {
    const error = new mine.CacheKeyError('bad key', { key: 'k' });
    expect(Reflect.ownKeys(error).filter((k) => typeof k === 'symbol')).toEqual([]);
    expect(Object.keys(error).sort()).toEqual(['code', 'key', 'name']);
  });

  it('isCacheError narrows the code', () => {
    const error: unknown = new other.CacheKeyError('x', {}, 'CACHE_KEY_MISSING');
    if (mine.isCacheError(error, 'CACHE_KEY_MISSING')) {
      const code: 'CACHE_KEY_MISSING' = error.code;
      expect(code).toBe('CACHE_KEY_MISSING');
    } else {
      expect.unreachable('a CacheKeyError with CACHE_KEY_MISSING');
    }
  });
});
