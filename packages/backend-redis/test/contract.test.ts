// The contract suite against the Redis on REDIS_URL (never skipped: an unreachable server fails
// it). Each cache gets a unique prefix; everything under those prefixes is removed afterwards.
// Redis expiry is server time, so no injected clock.
import { describeCacheContract } from '@cache/conformance';
import { uniquePrefix } from '@cache/test-utils';
import { afterAll } from 'vitest';
import { RedisCache, type RedisCacheOptions } from '../src/index.js';
import { escapeGlob, REDIS_URL, rawRedis, scanAll } from './helpers/redis.js';

const runPrefix = uniquePrefix('contract');
let count = 0;

afterAll(async () => {
  const raw = rawRedis();
  const keys = await scanAll(raw, `${escapeGlob(runPrefix)}*`);
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
