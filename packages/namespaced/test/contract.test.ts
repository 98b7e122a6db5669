import { describeCacheContract } from '@cache/conformance';
import type { Clock, Duration } from '@cache/core';
import type { BaseCacheOptions } from '@cache/core/backend';
import { MapCache } from '@cache/test-utils';
import { afterEach, expect } from 'vitest';
import { namespaced } from '../src/index.js';

interface Made {
  clock?: Clock | undefined;
  defaultTtl?: Duration | undefined;
  maxKeyBytes?: number | undefined;
}

/** Inner options for a namespace whose prefix takes `prefixBytes`: the namespace keeps the asked key limit. */
function innerOptions({ clock, defaultTtl, maxKeyBytes }: Made, prefixBytes: number): BaseCacheOptions {
  const limit = maxKeyBytes ?? 1024;
  return {
    ...(clock === undefined ? {} : { clock }),
    ...(defaultTtl === undefined ? {} : { defaultTtl }),
    maxKeyBytes: Number.isSafeInteger(limit) && limit > 0 ? limit + prefixBytes : limit,
  };
}

describeCacheContract({
  name: "namespaced(MapCache, 'ns')",
  create: (options) => namespaced(new MapCache(innerOptions(options, 3)), 'ns'),
  capabilities: { clock: true },
});

describeCacheContract({
  name: "namespaced(MapCache, 'ns') on real time",
  create: (options) => namespaced(new MapCache(innerOptions(options, 3)), 'ns'),
});

// Nested namespaces with awkward names over one inner cache full of neighbours: after every test
// each neighbour must still hold exactly its value.
const shared: { inner: MapCache; expected: [string, unknown][] }[] = [];
afterEach(async () => {
  for (const { inner, expected } of shared.splice(0)) {
    expect(await inner.getMany(expected.map(([key]) => key))).toEqual(expected.map(([, value]) => value));
  }
});

describeCacheContract({
  name: "namespaced(namespaced(MapCache, 'a'), 'b*?[:') beside neighbours",
  create: async (options) => {
    // Inner key of 'k' in the namespace under test: 'a:b%2A%3F%5B%3A:k' (18 bytes of prefix).
    const inner = new MapCache(innerOptions(options, 'a:b%2A%3F%5B%3A:'.length));
    const a = namespaced(inner, 'a');
    const neighbours = [
      namespaced(a, 'b*?['),
      namespaced(a, 'b*?[:x'),
      namespaced(a, 'b'),
      namespaced(inner, 'a:'),
      namespaced(inner, 'b*?[:'),
      a,
    ];
    for (const [i, n] of neighbours.entries()) {
      await n.set('k', `n${i}`, { tags: ['t', 't1', 'x', 'group'], ttl: Number.POSITIVE_INFINITY });
      await n.set('a*', `n${i}*`, { tags: ['t2'], ttl: Number.POSITIVE_INFINITY });
    }
    await inner.setMany(
      [
        ['a', 'raw'],
        ['a:b*?[', 'raw'],
        ['a:b*?[%3A', 'raw'],
        ['a:b%2A%3F%5B%3A', 'raw'],
      ],
      { ttl: Number.POSITIVE_INFINITY },
    );
    const expected: [string, unknown][] = [];
    for (const key of inner.entries.keys()) expected.push([key, inner.entries.get(key)?.value]);
    shared.push({ inner, expected });
    return namespaced(a, 'b*?[:');
  },
  capabilities: { clock: true, propertyRuns: 300 },
});
