import { MemoryCache } from '@cache/backend-memory';
import { describeCacheContract } from '@cache/conformance';
import type { BaseCacheOptions } from '@cache/core/backend';
import { MemoryBus } from '../src/index.js';
import { tiered } from '../src/index.js';

function tierOptions(options: BaseCacheOptions): BaseCacheOptions {
  const tier: BaseCacheOptions = {};
  if (options.clock !== undefined) tier.clock = options.clock;
  if (options.maxKeyBytes !== undefined) tier.maxKeyBytes = options.maxKeyBytes;
  return tier;
}

describeCacheContract({
  name: 'tiered(memory, memory)',
  create: (options) =>
    tiered({
      l1: new MemoryCache(tierOptions(options)),
      l2: new MemoryCache(tierOptions(options)),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.defaultTtl === undefined ? {} : { defaultTtl: options.defaultTtl }),
      ...(options.maxKeyBytes === undefined ? {} : { maxKeyBytes: options.maxKeyBytes }),
    }),
  capabilities: { clock: true },
});

let channel = 0;
describeCacheContract({
  name: 'tiered(memory, memory) with a MemoryBus and l1MaxTtl',
  create: (options) =>
    tiered({
      l1: new MemoryCache(tierOptions(options)),
      l2: new MemoryCache(tierOptions(options)),
      bus: new MemoryBus({ channel: `contract-${channel++}` }),
      l1MaxTtl: '1s',
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.defaultTtl === undefined ? {} : { defaultTtl: options.defaultTtl }),
      ...(options.maxKeyBytes === undefined ? {} : { maxKeyBytes: options.maxKeyBytes }),
    }),
  capabilities: { clock: true },
});
