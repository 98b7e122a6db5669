// Compile-time check (typecheck, not run): the `Redis` and `Cluster` classes of ioredis 6 (this
// package's own) and ioredis 5 (the `ioredis5` alias) are assignable to `RedisClientLike` and to
// the `client` option of RedisCache and RedisBus.
import type { Cluster as Cluster6, Redis as Redis6 } from 'ioredis';
import type { Cluster as Cluster5, Redis as Redis5 } from 'ioredis5';
import type { RedisBusOptions, RedisCacheOptions, RedisClientLike } from '../../src/index.js';

declare const redis6: Redis6;
declare const cluster6: Cluster6;
declare const redis5: Redis5;
declare const cluster5: Cluster5;

export const clients: RedisClientLike[] = [redis6, cluster6, redis5, cluster5];
export const cacheOptions: RedisCacheOptions[] = [
  { client: redis6 },
  { client: cluster6 },
  { client: redis5 },
  { client: cluster5 },
];
export const busOptions: RedisBusOptions[] = [{ client: redis5 }, { client: cluster5 }, { client: redis6 }];
// Not a client: refused at compile time.
// @ts-expect-error no status, options, commands...
export const notAClient: RedisCacheOptions = { client: { status: 'ready' } };
