import type { Duration } from './duration.js';
import type { CacheError } from './errors.js';
import type { PlatformAbortSignal } from './platform.js';
import type { CacheStats } from './stats.js';

/** Options of a write. */
export interface SetOptions {
  /** Time to live; absent means the cache's `defaultTtl`; `Infinity` means never. */
  ttl?: Duration | undefined;
  /** Tags for {@link Cache.invalidateTags}. */
  tags?: readonly string[] | undefined;
}

/** What a cache knows about one entry. Times are epoch milliseconds. */
export interface CacheEntryInfo<V = unknown> {
  key: string;
  value: V;
  createdAt: number;
  /** When the entry expires; `undefined` means never. */
  expiresAt: number | undefined;
  tags: readonly string[];
  /** Size in bytes, where the backend knows it. */
  size?: number;
  /** Reads that found this entry, where the backend counts them. */
  hits?: number;
  /** Time of the last read, where the backend records it. */
  lastAccessAt?: number;
}

/**
 * What a `getOrSet` factory receives. `V` is the value type of the cache (not the factory's own
 * result type): the stale value is whatever the key held.
 */
export interface FactoryContext<V = unknown> {
  /** The key being computed. */
  readonly key: string;
  /** The expired value still held for this key, if any. */
  readonly staleValue: V | undefined;
  /**
   * Aborted when every caller waiting for this computation has stopped waiting (their `timeout`
   * passed). Node's or the DOM's `AbortSignal`; pass it on to `fetch` and the like.
   */
  readonly signal: PlatformAbortSignal;
}

/** Options of the `lock` of {@link GetOrSetOptions}. */
export interface LockOptions {
  /** How long the lock is held at most before another process may take it. @default '30s' */
  lease?: Duration | undefined;
  /** How long to wait for another process's lock before computing anyway. @default '10s' */
  wait?: Duration | undefined;
}

/** Options of {@link Cache.getOrSet}. */
export interface GetOrSetOptions extends SetOptions {
  /** Time limit of the factory; past it the call fails with `CacheTimeoutError` (or serves stale). */
  timeout?: Duration | undefined;
  /** Serve an expired value for this long after its expiry while one background refresh runs. */
  staleWhileRevalidate?: Duration | undefined;
  /** Serve an expired value for this long after its expiry when the factory throws or times out. */
  staleIfError?: Duration | undefined;
  /** On shared backends, let one process compute while others wait. Memory needs none. */
  lock?: boolean | LockOptions | undefined;
  /**
   * What to do when the backend fails (cannot be reached, times out): `'throw'` the typed error,
   * or `'bypass'`: run the factory, return its value and emit `error`, so that a cache outage
   * slows a service down without taking it down. The computation in flight for a key follows
   * the call that started it. @default the cache's `onBackendError`, else `'throw'`
   */
  onBackendError?: BackendErrorPolicy | undefined;
}

/** What `getOrSet` does when the backend fails: see {@link GetOrSetOptions.onBackendError}. */
export type BackendErrorPolicy = 'throw' | 'bypass';

/** Why an entry was evicted. */
export type EvictReason = 'capacity' | 'size' | 'expired';

/** The payload of each cache event. */
export interface CacheEventMap {
  /** A read found the key; a composition of tiers names the tier (`@cache/tiered`). */
  hit: { key: string; tier?: 'l1' | 'l2' };
  miss: { key: string };
  set: { key: string };
  /** A live entry removed by `delete`, `deleteMany` or `deleteMatching` (one event per key). */
  delete: { key: string };
  evict: { key: string; reason: EvictReason };
  expire: { key: string };
  clear: { prefix: string | undefined };
  error: { error: CacheError; key?: string };
}

/** The name of a cache event. */
export type CacheEventName = keyof CacheEventMap;

/** A listener of one cache event. */
export type CacheListener<E extends CacheEventName> = (event: CacheEventMap[E]) => void;

/** Options of {@link Cache.keys} and {@link Cache.clear}. */
export interface PrefixOptions {
  /** Only keys that start with this string. */
  prefix?: string | undefined;
}

/**
 * The asynchronous contract every backend and composition implements.
 *
 * `V` is what the cache holds (`unknown` by default). The reads take a type argument `T` (a
 * subtype of `V`, `V` by default) for what the caller knows a key holds, as `bentocache` does:
 * `cache.get<User>('user:1')`. It is the caller's claim, not a check; a typed cache
 * (`Cache<User>`) makes the writes checked too. `getOrSet` infers `T` from the factory, so
 * `await cache.getOrSet('user:1', () => loadUser(1))` is a `User` on any cache.
 */
export interface Cache<V = unknown> extends AsyncDisposable {
  /** A name for logs and for `CacheManager`. */
  readonly name: string;
  /** The value, or `undefined` on a miss. */
  get<T extends V = V>(key: string): Promise<T | undefined>;
  /** The value; throws `CacheKeyError` (`CACHE_KEY_MISSING`) on a miss, `CacheExpiredError` when known expired. */
  getOrThrow<T extends V = V>(key: string): Promise<T>;
  /** The value with its metadata, or `undefined` on a miss. */
  getEntry<T extends V = V>(key: string): Promise<CacheEntryInfo<T> | undefined>;
  /** Stores a value. A failed set leaves the previous value in place. */
  set(key: string, value: V, options?: SetOptions): Promise<void>;
  /** Stores a value only if the key is absent; reports whether it did. */
  add(key: string, value: V, options?: SetOptions): Promise<boolean>;
  /** Whether a live entry exists. */
  has(key: string): Promise<boolean>;
  /** Removes an entry; reports whether one existed. */
  delete(key: string): Promise<boolean>;
  /** The values in the order of `keys`, `undefined` for misses. */
  getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]>;
  /** Stores many values with the same options. */
  setMany(entries: Iterable<readonly [string, V]>, options?: SetOptions): Promise<void>;
  /** Removes many entries; returns how many existed, and emits `delete` for each of them (a repeated key once). */
  deleteMany(keys: readonly string[]): Promise<number>;
  /** The live keys, optionally only those with a prefix. */
  keys(options?: PrefixOptions): AsyncIterable<string>;
  /** Removes every entry this cache owns, optionally only those with a prefix. */
  clear(options?: PrefixOptions): Promise<void>;
  /**
   * Removes the entries whose key matches a glob (`*` any run, `?` one character); returns how many,
   * and emits `delete` for each of them.
   */
  deleteMatching(pattern: string): Promise<number>;
  /** Every entry written earlier with any of these tags becomes a miss, for every process sharing the backend. */
  invalidateTags(tags: readonly string[]): Promise<void>;
  /**
   * The cached value, or the factory's result stored and returned; one factory run per key at a
   * time. The result type is the factory's (`T`, inferred), which must fit the cache's `V`.
   */
  getOrSet<T extends V = V>(
    key: string,
    factory: (ctx: FactoryContext<V>) => T | Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T>;
  /** Counters of this cache's own traffic. */
  readonly stats: CacheStats;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void;
  /** Releases timers and connections. */
  close(): Promise<void>;
}
