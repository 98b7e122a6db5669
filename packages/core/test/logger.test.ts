import { attachLogger, CacheConfigError, CacheError, ManualClock } from '@cache/core';
import { MapCache } from '@cache/test-utils';
import { describe, expect, it } from 'vitest';

type Call = [level: 'warn' | 'error', details: Record<string, unknown>, message: string];

function fakeLogger(calls: Call[]) {
  return {
    warn: (details: object, message: string) =>
      calls.push(['warn', details as Record<string, unknown>, message]),
    error: (details: object, message: string) =>
      calls.push(['error', details as Record<string, unknown>, message]),
  };
}

describe('attachLogger', () => {
  it('logs a failed background refresh that the caller never sees, and stops after detach', async () => {
    const clock = new ManualClock(0);
    const cache = new MapCache<string>({ name: 'users', clock });
    const calls: Call[] = [];
    const detach = attachLogger(cache, fakeLogger(calls));
    await cache.set('u', 'old', { ttl: 1000 });
    clock.advance(1500);
    const failure = new Error('db down');
    let settled!: () => void;
    const refreshed = new Promise<void>((resolve) => {
      settled = resolve;
    });
    const off = cache.on('error', () => settled());
    // Served stale while the refresh runs (and fails) in the background.
    await expect(
      cache.getOrSet(
        'u',
        () => {
          throw failure;
        },
        { ttl: 1000, staleWhileRevalidate: 5000 },
      ),
    ).resolves.toBe('old');
    await refreshed;
    off();
    expect(calls).toHaveLength(1);
    const [level, details, message] = calls[0] as Call;
    expect(level).toBe('error');
    expect(details).toMatchObject({ cache: 'users', key: 'u', code: 'CACHE_ERROR' });
    expect(details.err).toBeInstanceOf(CacheError);
    expect((details.err as CacheError).cause).toBe(failure);
    expect(message.startsWith('cache users: ')).toBe(true);

    detach();
    cache.failWith(new Error('read failed'), ['readEntry']);
    await expect(cache.get('u')).rejects.toBeInstanceOf(CacheError);
    expect(calls).toHaveLength(1);
  });

  it('picks the level per error, falls back to the method the logger has, and refuses a logger without one', async () => {
    const cache = new MapCache<string>({ name: 'pages' });
    const calls: Call[] = [];
    const detach = attachLogger(cache, fakeLogger(calls), { level: () => 'warn' });
    cache.failWith(new Error('down'), ['readEntry']);
    await expect(cache.get('k')).rejects.toBeInstanceOf(CacheError);
    expect(calls.map(([level, details]) => [level, details.key, details.cache])).toEqual([
      ['warn', 'k', 'pages'],
    ]);
    detach();

    const onlyWarn: Call[] = [];
    attachLogger(cache, { warn: fakeLogger(onlyWarn).warn });
    await expect(cache.get('j')).rejects.toBeInstanceOf(CacheError);
    expect(onlyWarn.map(([level, details]) => [level, details.key])).toEqual([['warn', 'j']]);

    expect(() => attachLogger(cache, {})).toThrow(CacheConfigError);
    expect(() => attachLogger(cache, fakeLogger([]), { level: 'warn' as never })).toThrow(CacheConfigError);
  });
});
