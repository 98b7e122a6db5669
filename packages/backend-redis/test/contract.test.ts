// The contract suite against the Redis on REDIS_URL (never skipped: an unreachable server fails
// it): on the client the cache creates from `url`, then on an application's own client passed as
// `client`, from each ioredis major (test/helpers/majors.ts). Each cache gets a unique prefix;
// everything under those prefixes is removed afterwards. Redis expiry is server time, so no
// injected clock.
import { describeCacheContract } from '@cache/conformance';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll } from 'vitest';
import { RedisCache, type RedisCacheOptions } from '../src/index.js';
import { appRedis, MAJORS } from './helpers/majors.js';
import { escapeMatch } from '../src/internal/patterns.js';
import { REDIS_URL, rawRedis, scanAll } from './helpers/redis.js';

/**
 * Property runs of the model test on a borrowed client. The cache's own client runs the suite's
 * default (1000); a borrowed client takes other paths only for how commands are sent (the
 * client's own GET/MGET/SET on a client of another ioredis copy), which 100 random sequences of
 * every operation cover, at a tenth of the time.
 */
const BORROWED_PROPERTY_RUNS = 100;

const runPrefix = uniquePrefix('contract');
let count = 0;

afterAll(async () => {
  const raw = rawRedis();
  const keys = await scanAll(raw, `${escapeMatch(runPrefix)}*`);
  for (let i = 0; i < keys.length; i += 500) await raw.unlink(...keys.slice(i, i + 500));
  raw.disconnect();
});

describeCacheContract({
  name: 'RedisCache (single node)',
  create({ defaultTtl, maxKeyBytes }) {
    const options: RedisCacheOptions = { url: REDIS_URL, prefix: `${runPrefix}${count++}:` };
    if (defaultTtl !== undefined) options.defaultTtl = defaultTtl;
    if (maxKeyBytes !== undefined) options.maxKeyBytes = maxKeyBytes;
    return new RedisCache(options);
  },
  capabilities: { clock: false, entryInfo: { size: true } },
});

for (const major of MAJORS) {
  // One client of the application for all the caches of the suite, as an application shares it.
  let client: ReturnType<typeof appRedis> | undefined;
  describeCacheContract({
    name: `RedisCache (single node) on an application's ${major.name} client`,
    create({ defaultTtl, maxKeyBytes }) {
      client ??= appRedis(major);
      const options: RedisCacheOptions = { client, prefix: `${runPrefix}${count++}:` };
      if (defaultTtl !== undefined) options.defaultTtl = defaultTtl;
      if (maxKeyBytes !== undefined) options.maxKeyBytes = maxKeyBytes;
      return new RedisCache(options);
    },
    capabilities: { clock: false, entryInfo: { size: true }, propertyRuns: BORROWED_PROPERTY_RUNS },
  });
}
