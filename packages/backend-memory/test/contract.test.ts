import { MemoryCache, PolicyName } from '@cache/backend-memory';
import { describeCacheContract } from '@cache/conformance';
import { jsonSerializer } from '@cache/core';

// Every policy runs the whole contract (with a bound large enough that the contract's own
// entries never compete for room: eviction itself is tested in the unit and policy tests).
for (const policy of Object.values(PolicyName)) {
  describeCacheContract({
    name: `MemoryCache (policy ${policy})`,
    create: ({ clock, defaultTtl, maxKeyBytes }) =>
      new MemoryCache({
        policy,
        ...(policy === 'none' ? {} : { maxEntries: 10_000 }),
        ...(clock ? { clock } : {}),
        ...(defaultTtl !== undefined ? { defaultTtl } : {}),
        ...(maxKeyBytes !== undefined ? { maxKeyBytes } : {}),
      }),
    capabilities: { clock: true, entryInfo: { size: true } },
  });
}

// With `trackReads`, getEntry reports hits and lastAccessAt (the policies keep no other state per read).
for (const policy of ['tinylfu', 'lru'] as const) {
  describeCacheContract({
    name: `MemoryCache (policy ${policy}, trackReads)`,
    create: ({ clock, defaultTtl, maxKeyBytes }) =>
      new MemoryCache({
        policy,
        maxEntries: 10_000,
        trackReads: true,
        ...(clock ? { clock } : {}),
        ...(defaultTtl !== undefined ? { defaultTtl } : {}),
        ...(maxKeyBytes !== undefined ? { maxKeyBytes } : {}),
      }),
    capabilities: { clock: true, entryInfo: { size: true, hits: true, lastAccessAt: true } },
  });
}

// The serializer mode keeps the same contract (values come back as copies).
describeCacheContract({
  name: 'MemoryCache (serializer: json)',
  create: ({ clock, defaultTtl, maxKeyBytes }) =>
    new MemoryCache({
      serializer: {
        id: 'json',
        serialize: (v) => Buffer.from(JSON.stringify(v)),
        deserialize: (b) => JSON.parse(Buffer.from(b).toString()),
      },
      trackReads: true,
      ...(clock ? { clock } : {}),
      ...(defaultTtl !== undefined ? { defaultTtl } : {}),
      ...(maxKeyBytes !== undefined ? { maxKeyBytes } : {}),
    }),
  // A plain JSON serializer of the test's own: Date, Map, ... do not round-trip.
  capabilities: {
    clock: true,
    entryInfo: { size: true, hits: true, lastAccessAt: true },
    typedValues: false,
  },
});

// The serializer mode with core's typed JSON: the one value model, as copies.
describeCacheContract({
  name: "MemoryCache (serializer: core's jsonSerializer, typed JSON)",
  create: ({ clock, defaultTtl, maxKeyBytes }) =>
    new MemoryCache({
      serializer: jsonSerializer,
      trackReads: true,
      ...(clock ? { clock } : {}),
      ...(defaultTtl !== undefined ? { defaultTtl } : {}),
      ...(maxKeyBytes !== undefined ? { maxKeyBytes } : {}),
    }),
  capabilities: { clock: true, entryInfo: { size: true, hits: true, lastAccessAt: true }, propertyRuns: 200 },
});
