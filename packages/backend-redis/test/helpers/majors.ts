// The ioredis majors that tests build "the application's own client" from: ioredis 6 (`ioredis`,
// this package's dev dependency) and ioredis 5 (`ioredis5`, an npm alias of ioredis@^5). In the
// vitest project that runs the package on ioredis 5 (vitest.config.ts), `ioredis` is ioredis 5
// too, and the list holds that one major once.
import { Cluster as Cluster6, Redis as Redis6 } from 'ioredis';
import { Cluster as Cluster5, Redis as Redis5 } from 'ioredis5';
import { afterAll } from 'vitest';
import type { RedisClientLike } from '../../src/index.js';
import { REDIS_URL } from './redis.js';

type ClusterNodes = { host: string; port: number }[];

/** One ioredis major's client constructors, as the application would call them. */
export interface IoredisMajor {
  /** `'ioredis 6'` or `'ioredis 5'`. */
  readonly name: string;
  readonly Redis: new (
    url: string,
    options: Record<string, unknown>,
  ) => RedisClientLike & { disconnect(): void };
  readonly Cluster: new (
    nodes: ClusterNodes,
    options: Record<string, unknown>,
  ) => RedisClientLike & { disconnect(): void };
}

const five: IoredisMajor = { name: 'ioredis 5', Redis: Redis5, Cluster: Cluster5 };
const installed: IoredisMajor =
  (Redis6 as unknown) === Redis5 ? five : { name: 'ioredis 6', Redis: Redis6, Cluster: Cluster6 };

/** The majors to build clients from: ioredis 6 and ioredis 5 (only 5 when `ioredis` is 5). */
export const MAJORS: readonly IoredisMajor[] = installed === five ? [five] : [installed, five];

/** Whether this run loads ioredis 5 as `ioredis` (the package's own clients are ioredis 5). */
export const INSTALLED_IS_5 = installed === five;

/** Options of an application's client: a few retries, its own command timeout. */
const APP_OPTIONS = { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 5000 } as const;

const clients: { disconnect(): void }[] = [];

/** Disconnects the clients made so far (also done after the file). */
export function disconnectAppClients(): void {
  for (const client of clients.splice(0)) client.disconnect();
}

afterAll(disconnectAppClients);

/** An application's single-node client of this major on REDIS_URL; disconnected after the file. */
export function appRedis(major: IoredisMajor, options: { keyPrefix?: string } = {}): RedisClientLike {
  const client = new major.Redis(REDIS_URL, { ...APP_OPTIONS, ...options });
  clients.push(client);
  return client;
}

/** An application's Cluster client of this major on these nodes; disconnected after the file. */
export function appCluster(
  major: IoredisMajor,
  nodes: readonly { host: string; port: number }[],
  options: { keyPrefix?: string } = {},
): RedisClientLike {
  const client = new major.Cluster([...nodes], {
    ...options,
    enableOfflineQueue: true,
    redisOptions: { ...APP_OPTIONS },
  });
  clients.push(client);
  return client;
}
