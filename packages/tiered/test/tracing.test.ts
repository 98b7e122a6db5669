import { tracingChannel } from 'node:diagnostics_channel';
import { MemoryCache } from '@cache/backend-memory';
import { CACHE_CHANNELS, type CacheOperationMessage } from '@cache/core';
import { MapCache } from '@cache/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { tiered } from '../src/index.js';

const seen: Record<string, unknown>[] = [];
const noop = () => undefined;
const subscribers = {
  start: noop,
  end: noop,
  asyncStart: noop,
  error: noop,
  asyncEnd: (message: unknown) => {
    const { cache, operation, key, hit, tier } = message as CacheOperationMessage;
    if (cache === 'traced') seen.push({ operation, key, hit, tier });
  },
};
const channels = (['get', 'getOrSet', 'set', 'delete'] as const).map((op) =>
  tracingChannel(CACHE_CHANNELS[op]),
);

afterEach(() => {
  for (const channel of channels) channel.unsubscribe(subscribers);
  seen.length = 0;
});

describe('diagnostics channels', () => {
  it('publishes tiered operations with the tier of each hit', async () => {
    const l2 = new MapCache();
    const cache = tiered({ name: 'traced', l1: new MemoryCache(), l2 });
    await l2.set('remote', 'r');
    for (const channel of channels) channel.subscribe(subscribers);
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    expect(await cache.get('remote')).toBe('r');
    expect(await cache.get('none')).toBeUndefined();
    expect(await cache.getOrSet('n', () => 1)).toBe(1);
    expect(await cache.getOrSet('n', () => 2)).toBe(1);
    await cache.delete('k');
    expect(seen).toEqual([
      { operation: 'set', key: 'k', hit: undefined, tier: undefined },
      { operation: 'get', key: 'k', hit: true, tier: 'l1' },
      { operation: 'get', key: 'remote', hit: true, tier: 'l2' },
      { operation: 'get', key: 'none', hit: false, tier: undefined },
      { operation: 'getOrSet', key: 'n', hit: false, tier: undefined },
      { operation: 'getOrSet', key: 'n', hit: true, tier: 'l1' },
      { operation: 'delete', key: 'k', hit: undefined, tier: undefined },
    ]);
    await cache.close();
  });
});
