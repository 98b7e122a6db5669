import { MemoryCache } from '@cache/backend-memory';
import { describeCacheContract } from '@cache/conformance';
import type { Clock, Duration } from '@cache/core';
import { afterEach, expect } from 'vitest';
import { namespaced } from '../src/index.js';

interface Made {
  clock?: Clock | undefined;
  defaultTtl?: Duration | undefined;
  maxKeyBytes?: number | undefined;
}

/** A MemoryCache whose key limit leaves the namespace the asked limit after its prefix. */
function memory({ clock, defaultTtl, maxKeyBytes }: Made, prefixBytes: number): MemoryCache {
  const limit = maxKeyBytes ?? 1024;
  return new MemoryCache({
    ...(clock === undefined ? {} : { clock }),
    ...(defaultTtl === undefined ? {} : { defaultTtl }),
    maxKeyBytes: Number.isSafeInteger(limit) && limit > 0 ? limit + prefixBytes : limit,
  });
}

// The namespace under test shares its MemoryCache with neighbours; after each test every
// neighbour entry must be intact (values, and not invalidated by the namespace's tags).
const shared: { inner: MemoryCache; expected: [string, unknown][] }[] = [];
afterEach(async () => {
  for (const { inner, expected } of shared.splice(0)) {
    expect(await inner.getMany(expected.map(([key]) => key))).toEqual(expected.map(([, value]) => value));
    await inner.close();
  }
});

describeCacheContract({
  name: "namespaced(MemoryCache, 'users') beside 'users2', 'users:' and 'user'",
  create: async (options) => {
    const inner = memory(options, 'users:'.length);
    const forever = { ttl: Number.POSITIVE_INFINITY, tags: ['t', 't1', 't2', 'x', 'y', 'group'] };
    const expected: [string, unknown][] = [];
    for (const name of ['users2', 'users:', 'user', 'users*']) {
      const neighbour = namespaced(inner, name);
      for (const key of ['k', 'a', '*', 'user:1']) {
        await neighbour.set(key, `${name}|${key}`, forever);
        expected.push([neighbour.prefix + key, `${name}|${key}`]);
      }
    }
    await inner.set('users', 'raw', forever);
    expected.push(['users', 'raw']);
    shared.push({ inner, expected });
    return namespaced(inner, 'users');
  },
  capabilities: { clock: true },
});
