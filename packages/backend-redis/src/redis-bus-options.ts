/**
 * The options of {@link RedisBus} and the connections they become: a publisher that never queues
 * (offline queue off, no resend after a reconnect) and a subscriber that the bus subscribes itself
 * on every `ready` (ioredis' own resubscribe is off, so the bus knows when messages flow again).
 */
import { CacheConfigError, type Clock, type Duration } from '@cache/core';
import { BUS_FORMAT_VERSION, checkOptionNames, parseTimerDuration } from '@cache/core/backend';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_PREFIX,
  type RedisClusterOptions,
  type RedisSentinelOptions,
  resolvePrefix,
} from './redis-cache-options.js';
import { checkClient, type RedisClientLike } from './redis-client.js';

/** How a {@link RedisBus} learns what to drop. */
export type RedisBusMode = 'pubsub' | 'tracking';

/** Options of {@link RedisBus}. Give at most one of `url`, `client`, `cluster` and `sentinel`. */
export interface RedisBusOptions {
  /** A `redis://` or `rediss://` URL. @default 'redis://127.0.0.1:6379' */
  url?: string | undefined;
  /**
   * A ready ioredis client (`Redis` or `Cluster`). The bus never sends on it in `'pubsub'` mode:
   * it opens its own connections with `duplicate()` (same address, credentials, TLS), and leaves the
   * client open on `close()`. In `'tracking'` mode it must be the `client` of the `RedisCache` whose
   * writes the bus reports (a single node or Sentinel master, not a Cluster): the bus turns
   * client-side caching on for that connection.
   */
  client?: RedisClientLike | undefined;
  /** A Redis Cluster to connect to. */
  cluster?: RedisClusterOptions | undefined;
  /** A Sentinel-managed master to connect to. */
  sentinel?: RedisSentinelOptions | undefined;
  /** More ioredis options for the connections the bus makes from `url` (TLS, credentials, ...). */
  redisOptions?: RedisOptions | undefined;
  /**
   * The name of the bus. The Redis channel is `${channel}:v${BUS_FORMAT_VERSION}`, so that
   * instances that speak another message format never read each other's messages.
   * @default 'cache'
   */
  channel?: string | undefined;
  /**
   * Longest wait for a publish, the wait for a first connection included; past it the publish
   * rejects with `CacheTimeoutError` (connected) or `CacheConnectionError` (not connected). A
   * publish while the connection is down rejects at once. At most 2^31-1 ms. @default '1s'
   */
  publishTimeout?: Duration | undefined;
  /**
   * `'pubsub'`: messages published by the instances of the fleet. `'tracking'`: the same, plus
   * Redis client-side caching (`CLIENT TRACKING ... BCAST`) on `client`, so that writes made
   * outside the toolkit (redis-cli, other services) under `${prefix}e:` also reach subscribers, as
   * `keys` messages (or `flush` for FLUSHDB / FLUSHALL) from `'redis-tracking'` with `seq` 0.
   * @default 'pubsub'
   */
  mode?: RedisBusMode | undefined;
  /**
   * `'tracking'` mode only: `false` when every instance of the fleet runs `'tracking'` mode on the
   * same prefix. Redis's own invalidations then tell the other instances of each write of the
   * cache's entries, so `@cache/tiered` sends no message of its own for a `set` or a `delete`
   * (a write costs what it costs without a bus); messages for `clear`, `deleteMatching`,
   * `invalidateTags` and flushes are still published. An instance in `'pubsub'` mode would not
   * hear of those writes: switch a whole fleet at once. @default true
   */
  publishWrites?: boolean | undefined;
  /** `'tracking'` mode: the `prefix` of the `RedisCache` that writes with `client`. @default 'cache:' */
  prefix?: string | undefined;
  /**
   * On a Cluster: sharded pub/sub (`SSUBSCRIBE` / `SPUBLISH`, Redis 7 or later), where the
   * channel lives on the master that owns its slot; `false` for plain `PUBLISH`, which every node
   * of the cluster forwards to every other. Every instance of a fleet must use the same setting.
   * @default true
   */
  sharded?: boolean | undefined;
  /** The clock that stamps the `at` of `'tracking'` messages (diagnostics only). @default systemClock */
  clock?: Clock | undefined;
}

/** The default `channel`. */
export const DEFAULT_BUS_CHANNEL = 'cache';
/** The default `publishTimeout` in ms. */
export const DEFAULT_PUBLISH_TIMEOUT = 1_000;

const KNOWN = new Set([
  'url',
  'client',
  'cluster',
  'sentinel',
  'redisOptions',
  'channel',
  'publishTimeout',
  'mode',
  'prefix',
  'publishWrites',
  'sharded',
  'clock',
]);

/** The options of a bus, checked and with their defaults. */
export interface ResolvedBusOptions {
  /** The Redis channel: `${channel}:v${BUS_FORMAT_VERSION}`. */
  channel: string;
  publishTimeout: number;
  mode: RedisBusMode;
  /** `'tracking'` mode: the Redis key prefix of the tracked entries (client `keyPrefix` + `${prefix}e:`). */
  trackedPrefix: string;
  /** `'tracking'` mode: whether tiered publishes messages for writes of single entries. */
  publishWrites: boolean;
  sharded: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether `value` is an ioredis `Cluster` (of any ioredis version). */
function isCluster(value: RedisClientLike | Redis | Cluster): value is Cluster {
  return value.isCluster === true;
}

/** Validates the options and applies the defaults. @throws CacheConfigError */
export function resolveBusOptions(options: RedisBusOptions): ResolvedBusOptions {
  if (!isObject(options)) throw new CacheConfigError('RedisBus options must be an object');
  checkOptionNames(options, KNOWN, 'RedisBus', false);
  const given = (['url', 'client', 'cluster', 'sentinel'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (given.length > 1)
    throw new CacheConfigError(`give only one of url, client, cluster, sentinel (got ${given.join(', ')})`);
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^rediss?:\/\//i.test(options.url))) {
    throw new CacheConfigError('url must be a redis:// or rediss:// URL');
  }
  if (options.client !== undefined) checkClient(options.client, 'client');
  if (options.client !== undefined && options.redisOptions !== undefined) {
    throw new CacheConfigError('redisOptions cannot be given with a client');
  }
  if (options.redisOptions !== undefined && !isObject(options.redisOptions)) {
    throw new CacheConfigError('redisOptions must be an object');
  }
  if (
    options.cluster !== undefined &&
    (!isObject(options.cluster) ||
      !Array.isArray(options.cluster.nodes) ||
      options.cluster.nodes.length === 0)
  ) {
    throw new CacheConfigError('cluster must be { nodes: [...], options? } with at least one node');
  }
  if (options.sentinel !== undefined) {
    const sentinel = options.sentinel as unknown;
    if (!isObject(sentinel) || !Array.isArray(sentinel.sentinels) || sentinel.sentinels.length === 0) {
      throw new CacheConfigError('sentinel must be { sentinels: [...], name } with at least one sentinel');
    }
    if (typeof sentinel.name !== 'string' || sentinel.name === '')
      throw new CacheConfigError('sentinel.name must be a non-empty string');
  }
  return resolveChecked(options as RedisBusOptions);
}

/** {@link resolveBusOptions} after the connection options are checked. */
function resolveChecked(options: RedisBusOptions): ResolvedBusOptions {
  const channel = options.channel ?? DEFAULT_BUS_CHANNEL;
  if (typeof channel !== 'string' || channel === '')
    throw new CacheConfigError('channel must be a non-empty string');
  const publishTimeout =
    options.publishTimeout === undefined
      ? DEFAULT_PUBLISH_TIMEOUT
      : Math.max(1, Math.ceil(parseTimerDuration(options.publishTimeout, 'publishTimeout')));
  const mode = options.mode ?? 'pubsub';
  if (mode !== 'pubsub' && mode !== 'tracking')
    throw new CacheConfigError(`mode must be 'pubsub' or 'tracking', got ${String(mode)}`);
  if (options.sharded !== undefined && typeof options.sharded !== 'boolean')
    throw new CacheConfigError('sharded must be a boolean');
  if (options.clock !== undefined && (!isObject(options.clock) || typeof options.clock.now !== 'function'))
    throw new CacheConfigError('clock must have a now() method');
  let trackedPrefix = '';
  if (mode === 'tracking') {
    const client = options.client;
    if (client === undefined)
      throw new CacheConfigError("mode 'tracking' needs the RedisCache's client (client: cache.client)");
    if (isCluster(client))
      throw new CacheConfigError("mode 'tracking' works on a single node or Sentinel master, not a Cluster");
    trackedPrefix = `${client.options.keyPrefix ?? ''}${resolvePrefix(options.prefix ?? DEFAULT_PREFIX)}e:`;
  } else if (options.prefix !== undefined) {
    throw new CacheConfigError("prefix is an option of mode 'tracking'");
  } else if (options.publishWrites !== undefined) {
    throw new CacheConfigError("publishWrites is an option of mode 'tracking'");
  }
  if (options.publishWrites !== undefined && typeof options.publishWrites !== 'boolean')
    throw new CacheConfigError('publishWrites must be a boolean');
  return {
    channel: `${channel}:v${BUS_FORMAT_VERSION}`,
    publishTimeout,
    mode,
    trackedPrefix,
    publishWrites: options.publishWrites ?? true,
    sharded: options.sharded ?? true,
  };
}

/** Reconnects after 50, 100, 200, 400, 800, then every 1000 ms, forever until `close()`. */
export function retryDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(Math.max(times, 1) - 1, 5), 1_000);
}

/** Client options with ioredis' `legacy` reply mapping, which the client constructors' typing needs. */
type LegacyOptions = Omit<RedisOptions, 'replyMapping'> & { replyMapping: 'legacy' };

/** What every connection of the bus sets over the given ones: no resend, no retry per command. */
const NO_RESEND: LegacyOptions = {
  replyMapping: 'legacy',
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  autoResubscribe: false,
  lazyConnect: false,
  // Channel names are not keys: a client's keyPrefix must not reach them.
  keyPrefix: '',
};

/** The publisher never queues: a publish while it is not connected fails at once. */
const PUBLISHER: LegacyOptions = { ...NO_RESEND, enableOfflineQueue: false };

/** The subscriber: RESP2 in `'tracking'` mode (RESP3 clients do not pass `invalidate` pushes on). */
function subscriberOverrides(tracking: boolean): LegacyOptions {
  const overrides: LegacyOptions = { ...NO_RESEND, enableOfflineQueue: true };
  if (tracking) {
    overrides.protocol = 2;
  }
  return overrides;
}

/** The connections of a bus on one server or a Sentinel-managed master. */
export interface NodeConnections {
  kind: 'node';
  publisher: Redis;
  subscriber: Redis;
}

/**
 * The connections of a bus on a Cluster: a `Cluster` client that publishes (and knows the slot
 * map), and the options of the single-node subscriber connections the bus makes to its nodes.
 */
export interface ClusterConnections {
  kind: 'cluster';
  publisher: Cluster;
  /** The ioredis options of a subscriber connection, without host and port. */
  nodeOptions: LegacyOptions;
}

/** Creates the publisher and the subscriber (or its options, on a Cluster) that the options describe. */
export function createBusConnections(
  options: RedisBusOptions,
  tracking: boolean,
): NodeConnections | ClusterConnections {
  // Checked by resolveBusOptions; typed as this package's ioredis, which it behaves as for the bus.
  const client = options.client as unknown as Redis | Cluster | undefined;
  if (client !== undefined && isCluster(client)) {
    const publisher = client.duplicate([], {
      enableOfflineQueue: false,
      lazyConnect: false,
      keyPrefix: '',
      redisOptions: { ...client.options.redisOptions, ...PUBLISHER },
    } as Parameters<Cluster['duplicate']>[1]);
    return { kind: 'cluster', publisher, nodeOptions: nodeOptions(client.options.redisOptions) };
  }
  if (client !== undefined) {
    return {
      kind: 'node',
      publisher: client.duplicate(PUBLISHER),
      subscriber: client.duplicate(subscriberOverrides(tracking)),
    };
  }
  const common: RedisOptions = {
    connectTimeout: DEFAULT_CONNECT_TIMEOUT,
    retryStrategy: retryDelay,
    ...options.redisOptions,
  };
  if (options.cluster !== undefined) {
    const given = options.cluster.options;
    const redisOptions = { ...common, ...given?.redisOptions };
    const clusterOptions: ClusterOptions = {
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
      ...given,
      enableOfflineQueue: false,
      lazyConnect: false,
      keyPrefix: '',
      redisOptions: { ...redisOptions, ...PUBLISHER },
    };
    const publisher = new Cluster(
      options.cluster.nodes,
      clusterOptions as ConstructorParameters<typeof Cluster>[1],
    );
    return { kind: 'cluster', publisher, nodeOptions: nodeOptions(redisOptions) };
  }
  const url = options.sentinel === undefined ? (options.url ?? 'redis://127.0.0.1:6379') : undefined;
  const make = (overrides: LegacyOptions): Redis => {
    const merged: LegacyOptions = { ...common, ...options.sentinel, ...overrides };
    return url === undefined ? new Redis(merged) : new Redis(url, merged);
  };
  return { kind: 'node', publisher: make(PUBLISHER), subscriber: make(subscriberOverrides(tracking)) };
}

/**
 * The options of a subscriber connection to one node of a Cluster: the nodes' own options
 * (credentials, TLS), no reconnect of its own (the bus picks a node again when it ends).
 */
function nodeOptions(redisOptions: RedisOptions | undefined): LegacyOptions {
  const { host: _host, port: _port, ...rest } = redisOptions ?? {};
  return { ...rest, ...subscriberOverrides(false), retryStrategy: () => null };
}
