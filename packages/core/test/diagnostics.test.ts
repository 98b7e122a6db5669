import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { CACHE_CHANNELS, CACHE_OPERATIONS, type CacheOperationMessage, ManualClock } from '@cache/core';
import { MapCache } from '@cache/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

type Event = [event: string, message: CacheOperationMessage];
const EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;

/** Records every event of the named operations' tracing channels, with a copy of the message at that moment. */
function record(...operations: (keyof typeof CACHE_CHANNELS)[]): { events: Event[]; stop: () => void } {
  const events: Event[] = [];
  const stops: (() => void)[] = [];
  for (const op of operations) {
    const channel = tracingChannel<unknown, CacheOperationMessage>(CACHE_CHANNELS[op]);
    const handlers = Object.fromEntries(
      EVENTS.map((name) => [name, (message: CacheOperationMessage) => events.push([name, { ...message }])]),
    ) as unknown as Parameters<typeof channel.subscribe>[0];
    channel.subscribe(handlers);
    stops.push(() => channel.unsubscribe(handlers));
  }
  return {
    events,
    stop: () => {
      for (const stop of stops) stop();
    },
  };
}

let active: { stop: () => void } | undefined;
afterEach(() => active?.stop());

describe('diagnostics channels on a BaseCache backend', () => {
  it('names one tracing channel per operation', () => {
    expect(CACHE_CHANNELS.get).toBe('cache:get');
    expect(CACHE_CHANNELS.getOrSet).toBe('cache:getOrSet');
    expect(CACHE_OPERATIONS).toHaveLength(15);
    expect(Object.keys(CACHE_CHANNELS)).toEqual([...CACHE_OPERATIONS]);
  });

  it('publishes get hit and miss, set and delete with exact messages', async () => {
    const cache = new MapCache<string>({ name: 'users' });
    active = record('get', 'set', 'delete');
    const { events } = active as ReturnType<typeof record>;
    await cache.set('a', 'A');
    await cache.get('a');
    await cache.get('b');
    await cache.delete('a');
    const base = { cache: 'users' };
    expect(events).toEqual([
      ['start', { ...base, operation: 'set', key: 'a' }],
      ['end', { ...base, operation: 'set', key: 'a' }],
      ['asyncStart', { ...base, operation: 'set', key: 'a', result: undefined }],
      ['asyncEnd', { ...base, operation: 'set', key: 'a', result: undefined }],
      ['start', { ...base, operation: 'get', key: 'a' }],
      ['end', { ...base, operation: 'get', key: 'a' }],
      ['asyncStart', { ...base, operation: 'get', key: 'a', hit: true, result: 'A' }],
      ['asyncEnd', { ...base, operation: 'get', key: 'a', hit: true, result: 'A' }],
      ['start', { ...base, operation: 'get', key: 'b' }],
      ['end', { ...base, operation: 'get', key: 'b' }],
      ['asyncStart', { ...base, operation: 'get', key: 'b', hit: false, result: undefined }],
      ['asyncEnd', { ...base, operation: 'get', key: 'b', hit: false, result: undefined }],
      ['start', { ...base, operation: 'delete', key: 'a' }],
      ['end', { ...base, operation: 'delete', key: 'a' }],
      ['asyncStart', { ...base, operation: 'delete', key: 'a', result: true }],
      ['asyncEnd', { ...base, operation: 'delete', key: 'a', result: true }],
    ]);
  });

  it('publishes getOrSet and its load; a failed factory publishes error on both', async () => {
    const cache = new MapCache<string>({ name: 'pages', clock: new ManualClock(1000) });
    active = record('getOrSet', 'load');
    const { events } = active as ReturnType<typeof record>;
    await cache.getOrSet('p', () => 'P');
    await cache.getOrSet('p', () => 'other');
    const failure = new Error('boom');
    await expect(
      cache.getOrSet('q', () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const names = events.map(([name, m]) => `${m.operation}:${name}`);
    expect(names).toEqual([
      'getOrSet:start',
      'getOrSet:end',
      'load:start',
      'load:end',
      'load:asyncStart',
      'load:asyncEnd',
      'getOrSet:asyncStart',
      'getOrSet:asyncEnd',
      'getOrSet:start',
      'getOrSet:end',
      'getOrSet:asyncStart',
      'getOrSet:asyncEnd',
      'getOrSet:start',
      'getOrSet:end',
      'load:start',
      'load:end',
      'load:error',
      'load:asyncStart',
      'load:asyncEnd',
      'getOrSet:error',
      'getOrSet:asyncStart',
      'getOrSet:asyncEnd',
    ]);
    expect(events[6]).toEqual([
      'asyncStart',
      { cache: 'pages', operation: 'getOrSet', key: 'p', hit: false, result: 'P' },
    ]);
    expect(events[4]).toEqual(['asyncStart', { cache: 'pages', operation: 'load', key: 'p', result: 'P' }]);
    expect(events[10]).toEqual([
      'asyncStart',
      { cache: 'pages', operation: 'getOrSet', key: 'p', hit: true, result: 'P' },
    ]);
    expect(events[19]).toEqual([
      'error',
      { cache: 'pages', operation: 'getOrSet', key: 'q', hit: false, error: failure },
    ]);
    expect(events[16]?.[1]).toEqual({ cache: 'pages', operation: 'load', key: 'q', error: failure });
  });

  it('publishes getMany with hit and miss counts, and argument errors as error events', async () => {
    const cache = new MapCache<number>({ name: 'n' });
    await cache.set('a', 1);
    active = record('getMany', 'set');
    const { events } = active as ReturnType<typeof record>;
    await cache.getMany(['a', 'b', 'c']);
    await expect(cache.set('', 1)).rejects.toMatchObject({ code: 'CACHE_KEY_INVALID' });
    expect(events[2]).toEqual([
      'asyncStart',
      {
        cache: 'n',
        operation: 'getMany',
        keys: ['a', 'b', 'c'],
        hits: 1,
        misses: 2,
        result: [1, undefined, undefined],
      },
    ]);
    expect(events.slice(4).map(([name]) => name)).toEqual([
      'start',
      'end',
      'error',
      'asyncStart',
      'asyncEnd',
    ]);
    expect(events[6]?.[1].error).toMatchObject({ code: 'CACHE_KEY_INVALID' });
  });

  it('publishes nothing and changes nothing without subscribers', async () => {
    const seen: unknown[] = [];
    const listener = (message: unknown) => seen.push(message);
    // A plain subscriber of another channel does not make the cache publish.
    subscribe('cache:other', listener);
    const cache = new MapCache<string>();
    await cache.set('a', 'A');
    expect(await cache.get('a')).toBe('A');
    expect(tracingChannel(CACHE_CHANNELS.get).hasSubscribers).toBe(false);
    unsubscribe('cache:other', listener);
    expect(seen).toEqual([]);
  });
});
