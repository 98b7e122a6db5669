import { describe, expect, it } from 'vitest';
import {
  CacheConfigError,
  CacheConnectionError,
  CacheError,
  CacheExpiredError,
  CacheFullError,
  CacheInvalidationError,
  CacheKeyError,
  CacheSerializationError,
  CacheTimeoutError,
} from '../src/index.js';
import { toCacheError } from '../src/backend.js';

describe('errors', () => {
  it.each([
    [new CacheError('x'), 'CACHE_ERROR'],
    [new CacheKeyError('x'), 'CACHE_KEY_INVALID'],
    [new CacheExpiredError('x'), 'CACHE_KEY_EXPIRED'],
    [new CacheFullError('x'), 'CACHE_FULL'],
    [new CacheConnectionError('x'), 'CACHE_CONNECTION'],
    [new CacheTimeoutError('x'), 'CACHE_TIMEOUT'],
    [new CacheSerializationError('x'), 'CACHE_SERIALIZATION'],
    [new CacheInvalidationError('x'), 'CACHE_INVALIDATION'],
    [new CacheConfigError('x'), 'CACHE_CONFIG'],
  ])('%o has its code and is a CacheError', (error, code) => {
    expect(error).toBeInstanceOf(CacheError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });

  it('CacheExpiredError is a CacheKeyError', () => {
    expect(new CacheExpiredError('x')).toBeInstanceOf(CacheKeyError);
  });

  it('keeps the cause and the key', () => {
    const cause = new Error('boom');
    const error = new CacheConnectionError('down', { cause, key: 'k' });
    expect(error.cause).toBe(cause);
    expect(error.key).toBe('k');
  });

  it('toCacheError wraps foreign errors and passes CacheErrors through', () => {
    const own = new CacheFullError('full');
    expect(toCacheError(own)).toBe(own);
    const wrapped = toCacheError(new TypeError('bad'));
    expect(wrapped.code).toBe('CACHE_ERROR');
    expect(wrapped.cause).toBeInstanceOf(TypeError);
    expect(toCacheError('text').cause).toBe('text');
  });
});
