/**
 * The options of {@link RedisCache} and how they become an ioredis client: validation, the
 * default timeouts, and the fail-fast connection settings (offline queue on, no retries per
 * request, no resend of unanswered commands after a reconnect).
 */
import { CacheConfigError, type Duration, type Serializer } from '@cache/core';
import {
  type BaseCacheOptions,
  checkOptionNames,
  MAX_TIMER_MS,
  parseTimerDuration,
  validatePrefix,
} from '@cache/core/backend';
import {
  Cluster,
  type ClusterNode,
  type ClusterOptions,
  Redis,
  type RedisOptions,
  type SentinelAddress,
} from 'ioredis';
import { type LegacyRedisOptions, TimedRedis } from './internal/timed-redis.js';
import { checkClient, type RedisClientLike } from './redis-client.js';

/** The connection of a Sentinel-managed master: the sentinels, the master's name, and any ioredis option. */
export type RedisSentinelOptions = Omit<RedisOptions, 'sentinels' | 'name'> & {
  /** The sentinels to ask for the master, e.g. `[{ host: '127.0.0.1', port: 26379 }]`. */
  sentinels: Partial<SentinelAddress>[];
  /** The name of the master set that the sentinels monitor. */
  name: string;
};

/** The connection to a Redis Cluster. */
export interface RedisClusterOptions {
  /** Startup nodes, e.g. `[{ host: '127.0.0.1', port: 7000 }]`. */
  nodes: ClusterNode[];
  /** ioredis cluster options, applied over the cache's own. */
  options?: ClusterOptions | undefined;
}

/** Options of {@link RedisCache}. Give at most one of `url`, `client`, `cluster` and `sentinel`. */
export interface RedisCacheOptions extends Omit<BaseCacheOptions, 'clock'> {
  /** A `redis://` or `rediss://` URL (user, password, host, port, db). @default 'redis://127.0.0.1:6379' */
  url?: string | undefined;
  /**
   * The application's own ioredis client: a `Redis` (single node or Sentinel) or a `Cluster`, of
   * ioredis 5 (5.11 or later) or ioredis 6, whichever ioredis this package loads itself. It is
   * recognised by what it can do ({@link RedisClientLike}), not by its class. It is borrowed:
   * `close()` leaves it open, and its own timeout and retry settings apply (`connectTimeout`,
   * `commandTimeout`, `autoPipelining` and `redisOptions` may not be given with it).
   */
  client?: RedisClientLike | undefined;
  /** A Redis Cluster to connect to. */
  cluster?: RedisClusterOptions | undefined;
  /** A Sentinel-managed master to connect to. */
  sentinel?: RedisSentinelOptions | undefined;
  /** More ioredis options for the client the cache creates from `url` (TLS, credentials, ...), applied over the cache's own. */
  redisOptions?: RedisOptions | undefined;
  /**
   * Every key of this cache starts with it; `clear()` removes only keys under it. A non-empty,
   * well-formed UTF-16 string (a lone surrogate is refused with `CacheKeyError`, since Redis would
   * store it as U+FFFD and merge the prefix with others). @default 'cache:'
   */
  prefix?: string | undefined;
  /**
   * Turns values into bytes. @default jsonSerializer (core's typed JSON: `Date`, `Map`, `Set`,
   * `BigInt`, bytes, `RegExp`, `NaN`, `±Infinity`, `-0` and nested `undefined` round-trip)
   */
  serializer?: Serializer | undefined;
  /**
   * Longest wait for one command's reply; past it the command fails with `CacheTimeoutError`. On
   * a Cluster it bounds the whole command, redirections and retries included. At most 2^31-1 ms
   * (about 24.8 days), or `Infinity` for none. @default '2s'
   */
  commandTimeout?: Duration | undefined;
  /** Longest wait for a TCP connection (and TLS handshake) to be made. At most 2^31-1 ms, or `Infinity` for none. @default '5s' */
  connectTimeout?: Duration | undefined;
  /**
   * Send commands issued together (in one synchronous run) in as few socket writes as possible.
   * On a single node or Sentinel the first command is written at once and the socket is corked
   * for the rest of the run (until the next tick); on a Cluster it turns on ioredis'
   * `enableAutoPipelining`. @default true
   */
  autoPipelining?: boolean | undefined;
}

/** The default `commandTimeout` in ms. */
export const DEFAULT_COMMAND_TIMEOUT = 2_000;
/** The default `connectTimeout` in ms. */
export const DEFAULT_CONNECT_TIMEOUT = 5_000;
/** The default `prefix`. */
export const DEFAULT_PREFIX = 'cache:';

const KNOWN = new Set([
  'url',
  'client',
  'cluster',
  'sentinel',
  'redisOptions',
  'prefix',
  'serializer',
  'commandTimeout',
  'connectTimeout',
  'autoPipelining',
]);

/**
 * The ioredis options (of `redisOptions`, `sentinel`, `cluster.options` and its `redisOptions`)
 * that end up in `setTimeout`/`setInterval`: Node fires a timer of more than 2^31-1 ms (or of
 * `Infinity`) after 1 ms, so such values are refused rather than passed on.
 */
const TIMER_OPTIONS = [
  'commandTimeout',
  'connectTimeout',
  'socketTimeout',
  'blockingTimeout',
  'disconnectTimeout',
  'sentinelCommandTimeout',
  'slotsRefreshTimeout',
  'slotsRefreshInterval',
  'retryDelayOnFailover',
  'retryDelayOnClusterDown',
  'retryDelayOnTryAgain',
  'retryDelayOnMoved',
] as const;

/** Refuses the timer options of an ioredis options object that a timer cannot take. @throws CacheConfigError */
function checkTimerOptions(options: object | undefined, where: string): void {
  if (options === undefined) return;
  for (const name of TIMER_OPTIONS) {
    const value = (options as Record<string, unknown>)[name];
    if (value === undefined || typeof value !== 'number') continue;
    if (!(value >= 0 && value <= MAX_TIMER_MS)) {
      throw new CacheConfigError(
        `${where}.${name} must be between 0 and ${MAX_TIMER_MS} ms (about 24.8 days), got ${String(value)}`,
      );
    }
  }
}

/** The client of a cache, whether the cache owns it, and its settings. */
export interface ResolvedClient {
  client: Redis | Cluster;
  owned: boolean;
  /** The deadline for commands sent while the client is not connected (ms). */
  offlineDeadline: number;
  /** The longest wait for a command's reply that the client applies (ms), `undefined` = none. */
  commandTimeout: number | undefined;
  /** Whether the cache batches commands by corking the socket (single node or sentinel, owned, `autoPipelining`). */
  cork: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The options that `BaseCache` takes, copied from `options` (only those that are set). */
export function baseOptions(options: RedisCacheOptions): RedisCacheOptions {
  const base: RedisCacheOptions = {};
  if (options.name !== undefined) base.name = options.name;
  if (options.defaultTtl !== undefined) base.defaultTtl = options.defaultTtl;
  if (options.maxKeyBytes !== undefined) base.maxKeyBytes = options.maxKeyBytes;
  if (options.onBackendError !== undefined) base.onBackendError = options.onBackendError;
  return base;
}

/** Validates the options that are not the base cache's. @throws CacheConfigError */
export function checkOptions(options: RedisCacheOptions): void {
  if (!isObject(options)) throw new CacheConfigError('RedisCache options must be an object');
  checkOptionNames(options, KNOWN, 'RedisCache');
  const given = (['url', 'client', 'cluster', 'sentinel'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (given.length > 1)
    throw new CacheConfigError(`give only one of url, client, cluster, sentinel (got ${given.join(', ')})`);
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^rediss?:\/\//i.test(options.url))) {
    throw new CacheConfigError('url must be a redis:// or rediss:// URL');
  }
  if (options.client !== undefined) {
    checkClient(options.client, 'client');
    for (const name of ['commandTimeout', 'connectTimeout', 'autoPipelining', 'redisOptions'] as const) {
      if (options[name] !== undefined)
        throw new CacheConfigError(`${name} cannot be given with a borrowed client`);
    }
  }
  if (options.cluster !== undefined) {
    if (
      !isObject(options.cluster) ||
      !Array.isArray(options.cluster.nodes) ||
      options.cluster.nodes.length === 0
    ) {
      throw new CacheConfigError('cluster must be { nodes: [...], options? } with at least one node');
    }
    if (options.cluster.options !== undefined && !isObject(options.cluster.options)) {
      throw new CacheConfigError('cluster.options must be an object');
    }
  }
  if (options.sentinel !== undefined) {
    const sentinel = options.sentinel as unknown;
    if (!isObject(sentinel) || !Array.isArray(sentinel.sentinels) || sentinel.sentinels.length === 0) {
      throw new CacheConfigError('sentinel must be { sentinels: [...], name } with at least one sentinel');
    }
    if (typeof sentinel.name !== 'string' || sentinel.name === '')
      throw new CacheConfigError('sentinel.name must be a non-empty string');
  }
  if (options.redisOptions !== undefined && !isObject(options.redisOptions)) {
    throw new CacheConfigError('redisOptions must be an object');
  }
  const checked = options as RedisCacheOptions;
  checkTimerOptions(checked.redisOptions, 'redisOptions');
  checkTimerOptions(checked.sentinel, 'sentinel');
  checkTimerOptions(checked.cluster?.options, 'cluster.options');
  checkTimerOptions(checked.cluster?.options?.redisOptions, 'cluster.options.redisOptions');
  timeout(checked.commandTimeout, DEFAULT_COMMAND_TIMEOUT, 'commandTimeout');
  timeout(checked.connectTimeout, DEFAULT_CONNECT_TIMEOUT, 'connectTimeout');
  if (options.autoPipelining !== undefined && typeof options.autoPipelining !== 'boolean') {
    throw new CacheConfigError('autoPipelining must be a boolean');
  }
}

/**
 * The prefix, checked by the core's `validatePrefix` (a string, well-formed UTF-16) and not empty.
 * @throws CacheConfigError for a non-string or `''`; CacheKeyError for a lone surrogate.
 */
export function resolvePrefix(prefix: unknown): string {
  if (prefix === undefined) return DEFAULT_PREFIX;
  const checked = validatePrefix(prefix, 'prefix');
  if (checked === undefined) throw new CacheConfigError('prefix must be a non-empty string');
  return checked;
}

/**
 * A timeout option in ms, `undefined` for `Infinity` (none).
 * @throws CacheConfigError for what `parseTimerDuration` refuses (beyond 2^31-1 ms included).
 */
function timeout(value: Duration | undefined, fallback: number, what: string): number | undefined {
  const ms = value === undefined ? fallback : parseTimerDuration(value, what, 'none');
  return ms === Number.POSITIVE_INFINITY ? undefined : Math.ceil(ms);
}

/** Reconnects after 50, 100, 200, 400, 800, then every 1000 ms, forever until `close()`. */
function retryStrategy(times: number): number {
  return Math.min(50 * 2 ** Math.min(times - 1, 5), 1_000);
}

/** Creates (or borrows) the client described by the options. */
export function createClient(options: RedisCacheOptions): ResolvedClient {
  if (options.client !== undefined) {
    // Checked by checkOptions; typed as this package's ioredis, which it behaves as for the cache.
    const client = options.client as unknown as Redis | Cluster;
    const own = client.isCluster
      ? (client as Cluster).options.redisOptions?.commandTimeout
      : (client as Redis).options.commandTimeout;
    return {
      client,
      owned: false,
      offlineDeadline: own ?? DEFAULT_COMMAND_TIMEOUT,
      commandTimeout: own,
      cork: false,
    };
  }
  const commandTimeout = timeout(options.commandTimeout, DEFAULT_COMMAND_TIMEOUT, 'commandTimeout');
  const connectTimeout = timeout(options.connectTimeout, DEFAULT_CONNECT_TIMEOUT, 'connectTimeout');
  const autoPipelining = options.autoPipelining ?? true;
  const offlineDeadline = commandTimeout ?? connectTimeout ?? DEFAULT_COMMAND_TIMEOUT;
  const common: RedisOptions = {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: false,
    // Single node and Sentinel: the cache batches by corking the socket (see RedisCache), which
    // does not delay a lone command to the next event-loop turn as ioredis' auto-pipelining does.
    // `commandTimeout` is taken out again for these clients and enforced by TimedRedis.
    enableAutoPipelining: false,
    retryStrategy,
  };
  if (commandTimeout !== undefined) common.commandTimeout = commandTimeout;
  if (connectTimeout !== undefined) common.connectTimeout = connectTimeout;
  if (options.cluster !== undefined) {
    const { retryStrategy: _nodeRetry, ...nodeOptions } = common;
    const clusterOptions: ClusterOptions = {
      enableOfflineQueue: true,
      enableAutoPipelining: autoPipelining,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
      ...options.cluster.options,
      redisOptions: legacyReplies({ ...nodeOptions, ...options.cluster.options?.redisOptions }),
    };
    if (connectTimeout !== undefined && options.cluster.options?.slotsRefreshTimeout === undefined) {
      clusterOptions.slotsRefreshTimeout = connectTimeout;
    }
    return {
      client: new Cluster(options.cluster.nodes, clusterOptions as ConstructorParameters<typeof Cluster>[1]),
      owned: true,
      offlineDeadline,
      commandTimeout: clusterOptions.redisOptions?.commandTimeout,
      cork: false,
    };
  }
  const url = options.sentinel === undefined ? (options.url ?? 'redis://127.0.0.1:6379') : undefined;
  const merged = legacyReplies({ ...common, ...options.redisOptions, ...options.sentinel });
  return {
    client: singleNode(url, merged),
    owned: true,
    offlineDeadline,
    commandTimeout: merged.commandTimeout,
    cork: autoPipelining,
  };
}

/**
 * The client of one server or a Sentinel-managed master. Its `commandTimeout` is enforced by one
 * shared timer ({@link TimedRedis}) rather than ioredis' timer per command, which costs more than
 * a command's own work on a fast connection.
 */
function singleNode(url: string | undefined, options: LegacyRedisOptions): Redis {
  const { commandTimeout, ...rest } = options;
  if (commandTimeout === undefined) return url === undefined ? new Redis(options) : new Redis(url, options);
  return new TimedRedis(commandTimeout, url, rest);
}

/**
 * Forces ioredis' `legacy` reply mapping (the cache reads SCAN and pipeline replies in that
 * shape), which also fits the client constructors' typing under `exactOptionalPropertyTypes`.
 */
function legacyReplies<T extends { replyMapping?: unknown }>(
  options: T,
): Omit<T, 'replyMapping'> & { replyMapping: 'legacy' } {
  return { ...options, replyMapping: 'legacy' };
}
