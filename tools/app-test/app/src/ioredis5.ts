// The application's own ioredis client (ioredis 5 here) passed to RedisCache.
import { RedisCache } from '@cache/backend-redis';
import { Redis } from 'ioredis';

const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const cache = new RedisCache({ client, prefix: `app-test:${process.pid}:` });
await cache.set('when', new Date(0), { tags: ['t'] });
const when = await cache.get<Date>('when');
const locked = await cache.getOrSet('locked', async () => ({ n: 1 }), { lock: true, ttl: '1m' });
await cache.invalidateTags(['t']);
const report = {
  when: when instanceof Date ? when.toISOString() : null,
  locked: locked.n,
  invalidated: (await cache.get('when')) === undefined,
};
await cache.clear();
await cache.close();
await client.quit();
console.log(JSON.stringify(report));
