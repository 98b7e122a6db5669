import { tracingChannel } from 'node:diagnostics_channel';
import { MemoryCache } from '@cache/backend-memory';
import { CACHE_CHANNELS, type CacheOperationMessage } from '@cache/core';
import { afterEach, describe, expect, it } from 'vitest';

type Event = [event: string, message: CacheOperationMessage];
const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function record(...operations: (keyof typeof CACHE_CHANNELS)[]): Event[] {
  const events: Event[] = [];
  for (const op of operations) {
    const channel = tracingChannel<unknown, CacheOperationMessage>(CACHE_CHANNELS[op]);
    const handlers = Object.fromEntries(
      EVENTS.map((name) => [name, (message: CacheOperationMessage) => events.push([name, { ...message }])]),
    ) as unknown as Parameters<typeof channel.subscribe>[0];
    channel.subscribe(handlers);
    stops.push(() => channel.unsubscribe(handlers));
  }
  return events;
}

/** The messages as the `asyncEnd` event sees them, one per call. */
const ends = (events: Event[]) => events.filter(([name]) => name === 'asyncEnd').map(([, m]) => m);

describe('MemoryCache on the diagnostics channels', () => {
  it('publishes get hit and miss, set and delete from its fast paths', async () => {
    const cache = new MemoryCache<string>({ name: 'users' });
    const events = record('get', 'set', 'delete');
    await cache.set('a', 'A');
    expect(await cache.get('a')).toBe('A');
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.delete('a')).toBe(true);
    expect(events.map(([name]) => name)).toEqual(
      Array.from({ length: 4 }, () => ['start', 'end', 'asyncStart', 'asyncEnd']).flat(),
    );
    expect(ends(events)).toEqual([
      { cache: 'users', operation: 'set', key: 'a', result: undefined },
      { cache: 'users', operation: 'get', key: 'a', hit: true, result: 'A' },
      { cache: 'users', operation: 'get', key: 'b', hit: false, result: undefined },
      { cache: 'users', operation: 'delete', key: 'a', result: true },
    ]);
    expect(cache.stats.snapshot()).toMatchObject({ hits: 1, misses: 1, sets: 1, deletes: 1 });
  });

  it('publishes getOrSet (hit, miss with its load, and a failed factory) once per call', async () => {
    const cache = new MemoryCache<string>({ name: 'pages' });
    const events = record('getOrSet', 'load', 'get');
    expect(await cache.getOrSet('p', () => 'P')).toBe('P');
    expect(await cache.getOrSet('p', () => 'other')).toBe('P');
    const failure = new Error('boom');
    await expect(
      cache.getOrSet('q', () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(ends(events)).toEqual([
      { cache: 'pages', operation: 'load', key: 'p', result: 'P' },
      { cache: 'pages', operation: 'getOrSet', key: 'p', hit: false, result: 'P' },
      { cache: 'pages', operation: 'getOrSet', key: 'p', hit: true, result: 'P' },
      { cache: 'pages', operation: 'load', key: 'q', error: failure },
      { cache: 'pages', operation: 'getOrSet', key: 'q', hit: false, error: failure },
    ]);
    expect(events.filter(([name]) => name === 'error').map(([, m]) => m.operation)).toEqual([
      'load',
      'getOrSet',
    ]);
    expect(cache.stats.snapshot()).toMatchObject({ hits: 1, misses: 2, sets: 1 });
  });

  it('publishes getMany counts and a closed cache as an error', async () => {
    const cache = new MemoryCache<number>({ name: 'n' });
    await cache.set('a', 1);
    const events = record('getMany', 'deleteMany');
    await cache.getMany(['a', 'b']);
    await cache.deleteMany(['a', 'z']);
    await cache.close();
    await expect(cache.getMany(['a'])).rejects.toMatchObject({ code: 'CACHE_CONFIG' });
    const messages = ends(events);
    expect(messages.slice(0, 2)).toEqual([
      { cache: 'n', operation: 'getMany', keys: ['a', 'b'], hits: 1, misses: 1, result: [1, undefined] },
      { cache: 'n', operation: 'deleteMany', keys: ['a', 'z'], result: 1 },
    ]);
    expect(messages[2]?.error).toMatchObject({ code: 'CACHE_CONFIG' });
  });
});
