import { defineConfig, mergeConfig } from 'vitest/config';
import { packageConfig } from '../../vitest.shared.ts';

/**
 * The files that run a second time with `ioredis` resolving to ioredis 5 (the `ioredis5` alias),
 * as in an application that installs ioredis 5 as this package's peer: the clients the cache and
 * the bus create themselves (single node with its shared command timer and built frames, Cluster,
 * pub/sub), and an application's client of that same ioredis 5. The other files run on ioredis 6
 * only; the application's ioredis 5 client beside this package's ioredis 6 is in the first project.
 */
const ON_IOREDIS_5 = [
  'test/client.test.ts',
  'test/contract.test.ts',
  'test/cluster.test.ts',
  'test/redis-cache.test.ts',
  'test/redis-bus.test.ts',
  'test/timed-redis.test.ts',
];

const base = packageConfig();
const onIoredis5 = mergeConfig(
  packageConfig({
    name: 'ioredis 5',
    include: ON_IOREDIS_5,
    // The model tests' sequences: their paths are the first project's, on another client.
    env: { CACHE_PROPERTY_RUNS: '100' },
  }),
  { resolve: { alias: [{ find: /^ioredis$/, replacement: 'ioredis5' }] } },
);

export default mergeConfig(
  base,
  defineConfig({
    test: {
      projects: [{ extends: true, test: { name: 'ioredis 6' } }, onIoredis5],
    },
  }),
);
