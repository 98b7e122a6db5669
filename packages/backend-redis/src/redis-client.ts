/**
 * The ioredis client that an application hands to {@link RedisCache} or {@link RedisBus} as
 * `client`: recognised by what it can do, not by its class, so that a `Redis` or `Cluster` of
 * ioredis 5 or ioredis 6 is taken whichever copy of ioredis this package itself loads.
 */
import type { PlatformBuffer } from '@cache/core';
import { CacheConfigError } from '@cache/core';
import type { Cluster, Redis } from 'ioredis';

/** A script or command argument as the backend sends it. */
type Arg = string | PlatformBuffer | number;

/** A pipeline of a {@link RedisClientLike}: the commands the backend queues on it, then `exec()`. */
export interface RedisPipelineLike {
  evalsha(sha: string, numKeys: number, ...args: Arg[]): unknown;
  unlink(...keys: string[]): unknown;
  /** The replies in order as `[error, reply]` pairs; `null` when the pipeline was discarded. */
  exec(): Promise<[Error | null, unknown][] | null>;
}

/**
 * What the backend uses of an application's ioredis client (a `Redis` or a `Cluster` of
 * ioredis 5.11 or later, or ioredis 6): its state and options, the commands and scripts the cache
 * sends (`GET`/`MGET` as buffers, `SET`, `EVALSHA`/`EVAL`, `SCAN`, `DBSIZE`, `UNLINK`), pipelines,
 * `duplicate()` (the bus opens its own connections with it) and the event emitter. A Cluster also
 * has `nodes()`. Both majors' classes are assignable to it; the object is checked at run time
 * too, and one that lacks a member is refused with `CacheConfigError` naming it.
 */
export interface RedisClientLike {
  /** ioredis' connection state: `'wait'`, `'connecting'`, `'connect'`, `'ready'`, `'reconnecting'`, `'close'`, `'end'`. */
  readonly status: string;
  /** `true` for a `Cluster`, `false` for a `Redis` (single node or Sentinel). */
  readonly isCluster: boolean;
  /**
   * The client's options. The backend reads `keyPrefix` (keys it sends get it from ioredis; the
   * patterns it SCANs and the frames it builds carry it themselves) and `commandTimeout` (a
   * Cluster's in `redisOptions`).
   */
  readonly options: {
    readonly keyPrefix?: string | undefined;
    readonly commandTimeout?: number | undefined;
    readonly redisOptions?: { readonly commandTimeout?: number | undefined } | undefined;
  };
  /** The masters (`'master'`) of a Cluster, each a single-node client. A Cluster only. */
  nodes?(role?: 'all' | 'master' | 'slave'): RedisClientLike[];
  getBuffer(key: string): Promise<PlatformBuffer | null>;
  mgetBuffer(...keys: string[]): Promise<(PlatformBuffer | null)[]>;
  set(key: string, value: string | PlatformBuffer): Promise<unknown>;
  set(key: string, value: string | PlatformBuffer, px: 'PX', ms: number): Promise<unknown>;
  /** `'OK'` when it set the key, `null` when the key existed. */
  set(key: string, value: string | PlatformBuffer, px: 'PX', ms: number, nx: 'NX'): Promise<'OK' | null>;
  evalsha(sha: string, numKeys: number, ...args: Arg[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: Arg[]): Promise<unknown>;
  scan(
    cursor: string,
    match: 'MATCH',
    pattern: string,
    count: 'COUNT',
    n: number,
  ): Promise<[string, string[]]>;
  dbsize(): Promise<number>;
  unlink(...keys: string[]): Promise<number>;
  /** `CLIENT TRACKING ...` and other commands without a method of their own (the bus's tracking mode). */
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  pipeline(): RedisPipelineLike;
  /** A new client of the same kind, address and options, with `overrides` applied (the bus's own connections). */
  duplicate(...overrides: never[]): object;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** What {@link checkClient} looks for: the methods of every client, and a Cluster's own. */
const METHODS = [
  'getBuffer',
  'mgetBuffer',
  'set',
  'evalsha',
  'eval',
  'scan',
  'dbsize',
  'unlink',
  'call',
  'pipeline',
  'duplicate',
  'on',
  'once',
  'off',
] as const;

/**
 * Checks that `value` is an ioredis client (either major) by the members the backend uses.
 * @param where the option's name in messages, e.g. `'client'`.
 * @returns it, typed as this package's ioredis classes (which it behaves as for the backend).
 * @throws CacheConfigError naming what is missing.
 */
export function checkClient(value: unknown, where: string): Redis | Cluster {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CacheConfigError(
      `${where} must be an ioredis Redis or Cluster (ioredis 5 or 6), got ${describe(value)}`,
    );
  }
  const client = value as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof client.status !== 'string') missing.push('status (a string)');
  if (typeof client.isCluster !== 'boolean') missing.push('isCluster (a boolean)');
  if (client.options === null || typeof client.options !== 'object') missing.push('options (an object)');
  for (const name of METHODS) if (typeof client[name] !== 'function') missing.push(`${name}()`);
  if (client.isCluster === true && typeof client.nodes !== 'function') missing.push('nodes() (a Cluster)');
  if (missing.length > 0) {
    throw new CacheConfigError(
      `${where} must be an ioredis Redis or Cluster (ioredis 5 or 6); it has no ${missing.join(', ')}`,
    );
  }
  return value as Redis | Cluster;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
