// Compile-time checks of the public types, under strict and exactOptionalPropertyTypes.
import { FileCache } from '@cache/backend-file';
import { MemoryCache } from '@cache/backend-memory';
import { RedisCache } from '@cache/backend-redis';
import { type Cache, CacheManager, createCache } from '@cache/core';

declare const cache: Cache;

// getOrSet's type comes from the factory; get takes a per-call type.
const user: { name: string } = await cache.getOrSet('u', async () => ({ name: 'x' }));
const maybe: { id: number } | undefined = await cache.get<{ id: number }>('k');
// @ts-expect-error getOrSet's result is not `any`
const wrong: number = await cache.getOrSet('u', async () => ({ name: 'x' }));

// Options accept an explicit undefined (exactOptionalPropertyTypes).
const redis = new RedisCache({ url: process.env.REDIS_URL, prefix: process.env.PREFIX });
const files = new FileCache({ dir: '/tmp/x', maxBytes: undefined, defaultTtl: process.env.TTL });
const memory = new MemoryCache({ maxEntries: undefined });
await memory.set('k', 1, { ttl: undefined, tags: undefined });

// Configurations are typed per backend.
await createCache({ backend: 'redis', url: process.env.REDIS_URL, prefix: 'app:' });
await createCache({ backend: 'memory', maxEntries: 10, serializer: 'msgpack', compress: 'gzip' });
// @ts-expect-error a misspelt option
await createCache({ backend: 'redis', urll: 'redis://x' });
// @ts-expect-error a wrong option type
await createCache({ backend: 'memory', maxEntries: 'many' });
const caches = new CacheManager({ sessions: { backend: 'redis', url: 'redis://x' }, pages: 'memory://' });
await caches.get('pages');
// @ts-expect-error an unknown cache name
await caches.get('nope');
// @ts-expect-error a misspelt option in a manager configuration
new CacheManager({ sessions: { backend: 'file', dirr: '/tmp' } });

export { files, maybe, redis, user, wrong };
