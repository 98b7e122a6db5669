import { MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import {
  CacheConfigError,
  CacheConnectionError,
  type CacheError,
  CacheInvalidationError,
  CacheKeyError,
  CacheTimeoutError,
} from '../src/index.js';

async function failure(run: () => Promise<unknown>): Promise<CacheError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return error as CacheError;
}

async function filled(): Promise<MapCache<string>> {
  const cache = new MapCache<string>();
  await cache.setMany([
    ['user:1', 'a'],
    ['user:2', 'b'],
  ]);
  await cache.set('tagged', 't', { tags: ['users'] });
  return cache;
}

describe('failed invalidations', () => {
  // A store error of each kind, as backends throw them: raw, and already typed.
  const causes: [string, () => Error][] = [
    ['a raw ENOSPC', () => Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })],
    ['a CacheConnectionError', () => new CacheConnectionError('connection lost')],
    ['a CacheTimeoutError', () => new CacheTimeoutError('command timed out')],
  ];

  for (const [name, make] of causes) {
    it(`invalidateTags rejects with CacheInvalidationError carrying ${name}`, async () => {
      const cache = await filled();
      const errors: CacheError[] = [];
      cache.on('error', (e) => errors.push(e.error));
      const cause = make();
      cache.failWith(cause, ['writeTagInvalidations']);
      const error = await failure(() => cache.invalidateTags(['users']));
      expect(error).toBeInstanceOf(CacheInvalidationError);
      expect(error.code).toBe('CACHE_INVALIDATION');
      expect(error.cause).toBe(cause);
      expect(errors).toEqual([error]);
      expect(cache.stats.errors).toBe(1);
      cache.failWith(undefined);
      expect(await cache.get('tagged')).toBe('t');
    });

    it(`deleteMatching rejects with CacheInvalidationError carrying ${name}, wherever the store fails`, async () => {
      for (const primitive of ['removeMatching', 'scanKeys', 'removeEntries', 'removeEntry'] as const) {
        const cache = await filled();
        const cause = make();
        cache.failWith(cause, [primitive]);
        const error = await failure(() => cache.deleteMatching('user:*'));
        expect(error).toBeInstanceOf(CacheInvalidationError);
        expect(error.code).toBe('CACHE_INVALIDATION');
        expect(error.cause).toBe(cause);
        expect(cache.stats.snapshot()).toMatchObject({ errors: 1, deletes: 0 });
      }
    });
  }

  it('keeps argument errors and the closed state as they are', async () => {
    const cache = await filled();
    cache.failWith(new Error('never reached'));
    for (const tags of [null, 'users', [''], [1]]) {
      const error = await failure(() => cache.invalidateTags(tags as never));
      expect(error).toBeInstanceOf(CacheConfigError);
    }
    const surrogate = await failure(() => cache.invalidateTags(['users\uD800']));
    expect(surrogate).toBeInstanceOf(CacheKeyError);
    expect(surrogate.code).toBe('CACHE_KEY_INVALID');
    for (const pattern of ['', null, 5]) {
      const error = await failure(() => cache.deleteMatching(pattern as never));
      expect(error).toBeInstanceOf(CacheConfigError);
    }
    const badPattern = await failure(() => cache.deleteMatching('user:\uDC00*'));
    expect(badPattern).toBeInstanceOf(CacheKeyError);
    expect(badPattern.code).toBe('CACHE_KEY_INVALID');
    expect(cache.stats.errors).toBe(0);
    cache.failWith(undefined);
    await cache.close();
    for (const run of [() => cache.invalidateTags(['users']), () => cache.deleteMatching('*')]) {
      const error = await failure(run);
      expect(error).toBeInstanceOf(CacheConfigError);
      expect(error.code).toBe('CACHE_CONFIG');
    }
  });

  it('leaves other operations with their own errors', async () => {
    const cache = await filled();
    const cause = new Error('down');
    cache.failWith(cause);
    for (const run of [
      () => cache.clear(),
      () => cache.deleteMany(['user:1']),
      () => cache.delete('user:1'),
      () => cache.set('x', 'y'),
    ]) {
      const error = await failure(run);
      expect(error.code).toBe('CACHE_ERROR');
      expect(error.cause).toBe(cause);
    }
  });
});
