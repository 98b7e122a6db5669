import { MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';
import { CacheConfigError, CacheConnectionError, type CacheError } from '../src/index.js';
import type { LockRelease } from '../src/backend.js';

const down = () => new CacheConnectionError('connection refused');

function errorsOf(cache: MapCache): CacheError[] {
  const errors: CacheError[] = [];
  cache.on('error', ({ error }) => errors.push(error));
  return errors;
}

describe("getOrSet with onBackendError: 'bypass'", () => {
  it('runs the factory once for concurrent callers when the backend is down, and emits error', async () => {
    const cache = new MapCache({ onBackendError: 'bypass' });
    const errors = errorsOf(cache);
    cache.failWith(down);
    let calls = 0;
    const factory = async () => {
      calls++;
      return { id: 7 };
    };
    const values = await Promise.all([1, 2, 3].map(() => cache.getOrSet('k', factory)));
    expect(values).toEqual([{ id: 7 }, { id: 7 }, { id: 7 }]);
    expect(calls).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['CACHE_CONNECTION', 'CACHE_CONNECTION', 'CACHE_CONNECTION']);
    expect(cache.stats.errors).toBe(3);
    expect(cache.stats.sets).toBe(0);
    cache.failWith(undefined);
    expect(cache.entries.size).toBe(0);
  });

  it('is chosen per call; the default throws the typed error', async () => {
    const cache = new MapCache();
    cache.failWith(down);
    await expect(cache.getOrSet('k', () => 1)).rejects.toMatchObject({ code: 'CACHE_CONNECTION' });
    expect(await cache.getOrSet('k', () => 2, { onBackendError: 'bypass' })).toBe(2);
    const bypassing = new MapCache({ onBackendError: 'bypass' });
    bypassing.failWith(down);
    await expect(bypassing.getOrSet('k', () => 1, { onBackendError: 'throw' })).rejects.toMatchObject({
      code: 'CACHE_CONNECTION',
    });
  });

  it('returns the value when only the write fails, and keeps nothing', async () => {
    const cache = new MapCache();
    const errors = errorsOf(cache);
    await cache.set('other', 1);
    cache.failWith(down, ['writeEntry']);
    expect(await cache.getOrSet('k', () => 'v', { onBackendError: 'bypass' })).toBe('v');
    expect(errors.map((e) => [e.code, e.message])).toEqual([['CACHE_CONNECTION', 'connection refused']]);
    expect([...cache.entries.keys()]).toEqual(['other']);
    await expect(cache.getOrSet('k', () => 'v')).rejects.toMatchObject({ code: 'CACHE_CONNECTION' });
  });

  it('fails a caller that does not bypass when it joined a bypassing computation whose write failed', async () => {
    const cache = new MapCache();
    cache.failWith(down, ['writeEntry']);
    let finish: (value: string) => void = () => undefined;
    const factory = () => new Promise<string>((resolve) => (finish = resolve));
    const bypassing = cache.getOrSet('k', factory, { onBackendError: 'bypass' });
    const throwing = cache.getOrSet('k', factory).catch((e: unknown) => e);
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    finish('v');
    expect(await bypassing).toBe('v');
    expect(await throwing).toMatchObject({ code: 'CACHE_CONNECTION' });
  });

  it('computes without the lock when the lock cannot be taken', async () => {
    class Locking extends MapCache {
      lockCalls = 0;
      protected override async acquireLock(): Promise<LockRelease | undefined> {
        this.lockCalls++;
        throw down();
      }
    }
    const cache = new Locking({ onBackendError: 'bypass' });
    const errors = errorsOf(cache);
    expect(await cache.getOrSet('k', () => 5, { lock: true })).toBe(5);
    expect(cache.lockCalls).toBe(1);
    expect(errors.map((e) => e.message)).toEqual(['connection refused']);
    expect(await cache.get('k')).toBe(5);
    const strict = new Locking();
    await expect(strict.getOrSet('k', () => 5, { lock: true })).rejects.toMatchObject({
      code: 'CACHE_CONNECTION',
    });
  });

  it('refuses other values of onBackendError', async () => {
    expect(() => new MapCache({ onBackendError: 'ignore' as never })).toThrow(CacheConfigError);
    const cache = new MapCache();
    await expect(cache.getOrSet('k', () => 1, { onBackendError: 'skip' as never })).rejects.toBeInstanceOf(
      CacheConfigError,
    );
    expect(cache.entries.size).toBe(0);
  });
});
