/**
 * `BaseCache`: everything a backend shares. A backend extends it and implements a few primitives
 * over stored entries; this class declares them, holds the helpers that subclasses use (key
 * checks, entry building, counts and events), and implements the hot single-key `get` and `set`
 * itself. Each other concept is in its own file, which sees the cache through one host object built
 * in the constructor: the options (base-options.ts), reading and classifying an entry
 * (classify-entry.ts), the other single-key and the prefix operations (key-operations.ts), the
 * many-key operations (many-keys.ts), invalidation by tag or glob (invalidation.ts), and `getOrSet`
 * (factory-runner.ts, its single-flight get-or-set.ts). In-process backends extend `SyncCache`
 * (sync-cache.ts), built on this class.
 *
 * It is over 400 lines because `get` and `set`, every backend's hot path, stay here beside the
 * state they read (splitting them out would add a call per operation), with the primitives'
 * declarations and the helpers every backend calls.
 */
import { type BaseCacheOptions, resolveBaseOptions } from './base-options.js';
import { classifyEntry } from './classify-entry.js';
import type { Clock } from './clock.js';
import { parseTtl } from './duration.js';
import { entryInfo, type StoredEntry } from './entry.js';
import { type CacheError, closedError, toCacheError, undefinedValueError } from './errors.js';
import { cacheTracing, traceCacheOperation } from './diagnostics.js';
import { CacheEmitter } from './events.js';
import { type FactoryHost, getOrSet, type Lookup } from './factory-runner.js';
import { FlightTable } from './get-or-set.js';
import { removeMatchingKeys, validateKey, validateTags } from './keys.js';
import * as keyOps from './key-operations.js';
import { buildMany, deleteMany, getMany, type ManyKeysHost, removeEach, setMany } from './many-keys.js';
import { deleteMatching, type InvalidationHost, invalidateTags, TagStamps } from './invalidation.js';
import { validateOptions } from './options.js';
import { CacheStats } from './stats.js';
import type {
  BackendErrorPolicy,
  Cache,
  CacheEntryInfo,
  CacheEventName,
  CacheListener,
  EvictReason,
  FactoryContext,
  GetOrSetOptions,
  PrefixOptions,
  SetOptions,
} from './types.js';

export type { BaseCacheOptions } from './base-options.js';

const NO_TAGS: readonly string[] = [];

/** What the modules that implement the operations of a cache see of it. */
type Host<V> = FactoryHost<V> & ManyKeysHost<V> & InvalidationHost & keyOps.KeyOperationsHost<V>;

/** A held lock; call it to release. */
export type LockRelease = () => Promise<void>;

/**
 * The base class of backends. Subclasses implement the protected primitives; the public
 * methods implement the contract of {@link Cache} on top of them.
 *
 * Primitives see keys already validated and entries already built. "Absent" for them means no
 * entry, or an entry whose `expiresAt` has passed by {@link BaseCache.now}.
 */
export abstract class BaseCache<V = unknown> implements Cache<V> {
  readonly name: string;
  readonly stats: CacheStats;
  /** The event emitter; `emitter.listening` is false when nobody listens. */
  protected readonly emitter = new CacheEmitter();
  /** The clock this cache reads time from. */
  protected readonly clock: Clock;
  /** The default TTL in ms, `undefined` = never. */
  protected readonly defaultTtlMs: number | undefined;
  /** The key length limit in UTF-8 bytes. */
  protected readonly maxKeyBytes: number;
  readonly #flights = new FlightTable<V>();
  /** This cache seen from outside, by a `getOrSet` computation and the modules named above. */
  readonly #host: Host<V>;
  readonly #tagStamps = new TagStamps();
  #closed = false;
  readonly #onBackendError: BackendErrorPolicy;

  constructor(options: BaseCacheOptions = {}, defaultName = 'cache') {
    const resolved = resolveBaseOptions(options, defaultName);
    this.name = resolved.name;
    this.clock = resolved.clock;
    this.defaultTtlMs = resolved.defaultTtlMs;
    this.maxKeyBytes = resolved.maxKeyBytes;
    this.#onBackendError = resolved.onBackendError;
    this.stats = new CacheStats(() => this.statsExtra());
    const host: Host<V> = {
      name: this.name,
      stats: this.stats,
      maxKeyBytes: this.maxKeyBytes,
      read: async (key) => classifyEntry(host, key, await this.readEntry(key), this.now()),
      write: async (key, value, options, staleWindow) => {
        await this.writeEntry(key, this.buildEntry(value, options, staleWindow));
        this.stats.sets++;
        this.emit('set', { key });
      },
      acquireLock: (key, lease, wait) => this.acquireLock(key, lease, wait),
      reportError: (error, key) => this.reportError(error, key),
      fail: (error, key) => this.#fail(error, key),
      count: (key, hit) => this.#count(key, hit),
      now: () => this.now(),
      checkOpen: () => this.checkOpen(),
      buildEntry: (value, options) => this.buildEntry(value, options),
      buildMany: (entries, options) => this.buildMany(entries, options),
      readEntries: (keys) => this.readEntries(keys),
      writeEntries: (entries) => this.writeEntries(entries),
      removeEntries: (keys) => this.removeEntries(keys),
      removeMatching: (pattern) => this.removeMatching(pattern),
      readTagInvalidations: (tags) => this.readTagInvalidations(tags),
      writeTagInvalidations: (tags, at) => this.writeTagInvalidations(tags, at),
      removeDeadEntry: (key, entry) => this.removeDeadEntry(key, entry),
      expired: (key) => this.emit('expire', { key }),
      reportSets: (written) => this.reportSets(written),
      reportDeletes: (removed) => this.reportDeletes(removed),
      lookup: (key) => this.#read(key),
      checkKey: (key) => this.checkKey(key),
      describeEntry: (key, entry) => this.describeEntry(key, entry),
      readEntry: (key) => this.readEntry(key),
      addEntry: (key, entry) => this.addEntry(key, entry),
      removeEntry: (key) => this.removeEntry(key),
      scanKeys: (prefix) => this.scanKeys(prefix),
      clearEntries: (prefix) => this.clearEntries(prefix),
      emit: (event, payload) => this.emit(event, payload),
    };
    this.#host = host;
  }

  // ---- primitives ---------------------------------------------------------------------------

  /** The stored entry, live or expired (while the backend still holds it), or `undefined`. */
  protected abstract readEntry(key: string): Promise<StoredEntry<V> | undefined>;
  /** Stores an entry, replacing any. Must leave the old entry intact when it fails. */
  protected abstract writeEntry(key: string, entry: StoredEntry<V>): Promise<void>;
  /** Stores an entry only if the key is absent; reports whether it did. */
  protected abstract addEntry(key: string, entry: StoredEntry<V>): Promise<boolean>;
  /** Removes an entry; reports whether a live one existed. */
  protected abstract removeEntry(key: string): Promise<boolean>;
  /**
   * Removes an entry found dead (invalidated by a tag, or past its physical expiry) by a read,
   * only while the key still holds what that read returned: a value written since must survive.
   * The default, {@link removeEntry}, is right only where nothing can write between the read and
   * the removal (one process, no await in between); shared backends compare and delete.
   */
  protected removeDeadEntry(key: string, _entry: StoredEntry<V>): Promise<unknown> {
    return this.removeEntry(key);
  }
  /** Yields the live keys, only those starting with `prefix` when given. */
  protected abstract scanKeys(prefix: string | undefined): AsyncIterable<string>;
  /** Removes every entry this cache owns, only those starting with `prefix` when given. */
  protected abstract clearEntries(prefix: string | undefined): Promise<void>;
  /** The last invalidation time of each tag (`undefined` = never invalidated). */
  protected abstract readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]>;
  /** Records that these tags were invalidated at `at`. */
  protected abstract writeTagInvalidations(tags: readonly string[], at: number): Promise<void>;

  /** Many reads; override with one round trip where the backend has one. */
  protected readEntries(keys: readonly string[]): Promise<(StoredEntry<V> | undefined)[]> {
    return Promise.all(keys.map((key) => this.readEntry(key)));
  }
  /** Many writes; override with one round trip where the backend has one. */
  protected async writeEntries(entries: readonly (readonly [string, StoredEntry<V>])[]): Promise<void> {
    await Promise.all(entries.map(([key, entry]) => this.writeEntry(key, entry)));
  }
  /**
   * Many removals; override with one round trip where the backend has one. `keys` holds each key
   * once. Expired entries are removed too.
   * @returns the keys whose entry was live (those `deleteMany` counts and reports with a `delete`
   * event each), in the order of `keys`. While `emitter.listening` is false nobody needs the keys:
   * a backend for which naming them costs more than counting them may return only their number.
   */
  protected removeEntries(keys: readonly string[]): Promise<string[] | number> {
    return removeEach((key) => this.removeEntry(key), keys);
  }
  /**
   * Removes the keys matching a glob; override where the backend can match natively.
   * @returns the keys whose entry was live, each once, in no particular order (those
   * `deleteMatching` counts and reports with a `delete` event each); or, as for
   * {@link BaseCache.removeEntries}, only their number while `emitter.listening` is false.
   */
  protected removeMatching(pattern: string): Promise<string[] | number> {
    return removeMatchingKeys(
      (prefix) => this.scanKeys(prefix),
      (keys) => this.removeEntries(keys),
      pattern,
    );
  }
  /**
   * The lock hook of `getOrSet({ lock })`: shared backends take a lock that other processes
   * respect, waiting at most `wait` ms, held at most `lease` ms. Returns the release, or
   * `undefined` when the wait ran out (the caller then computes anyway). In-process backends
   * need none: single-flight already holds within a process.
   */
  protected acquireLock(
    _key: string,
    _lease: number,
    _wait: number,
  ): Promise<LockRelease | undefined> | undefined {
    return undefined;
  }
  /** Backend figures for `stats.snapshot()` (`entries`, `bytes`, ...). */
  protected statsExtra(): Record<string, unknown> {
    return {};
  }
  /** What `getEntry` reports of a live entry; a backend may add what it knows besides. */
  protected describeEntry(key: string, entry: StoredEntry<V>): CacheEntryInfo<V> {
    return entryInfo(key, entry);
  }
  /** Releases the backend's timers and connections. */
  protected async closeBackend(): Promise<void> {}

  // ---- helpers for subclasses -----------------------------------------------------------------

  /** The current time by the cache's clock. */
  protected now(): number {
    return this.clock.now();
  }

  /** Emits an event when someone listens. */
  protected emit<E extends CacheEventName>(event: E, payload: Parameters<CacheListener<E>>[0]): void {
    if (this.emitter.listening) this.emitter.emit(event, payload);
  }

  /** Counts and reports an error that the cache absorbed (a corrupt entry read as a miss, a failed sweep). */
  protected reportError(error: CacheError, key?: string): void {
    this.stats.errors++;
    if (this.emitter.listening) this.emitter.emit('error', key === undefined ? { error } : { error, key });
  }

  /** Counts an eviction and reports it. */
  protected reportEviction(key: string, reason: EvictReason): void {
    this.stats.evicted(reason);
    if (this.emitter.listening) this.emitter.emit('evict', { key, reason });
  }

  /**
   * Builds the entry for a write: checks the value and the options (an object, if given), TTL
   * and tags.
   * @throws CacheSerializationError for `undefined`; CacheConfigError for bad options.
   */
  protected buildEntry(value: V, options: SetOptions | undefined, staleWindow = 0): StoredEntry<V> {
    if (value === undefined) throw undefinedValueError();
    if (options !== undefined) validateOptions(options, 'write');
    const now = this.now();
    const ttl = options?.ttl === undefined ? this.defaultTtlMs : parseTtl(options.ttl);
    const expiresAt = ttl === undefined ? undefined : now + ttl;
    const tags = options?.tags === undefined ? NO_TAGS : validateTags(options.tags);
    // A tagged write after an invalidation in the same millisecond must outlive it.
    const createdAt = tags.length > 0 ? this.#tagStamps.writeAt(now) : now;
    const entry: StoredEntry<V> = { value, createdAt, expiresAt, tags };
    if (staleWindow > 0 && expiresAt !== undefined) entry.staleUntil = expiresAt + staleWindow;
    return entry;
  }

  /**
   * Checks and builds the entries of a `setMany` before anything is written: the iterable, the
   * options (refused even when there is nothing to write), each key and value. The last write of
   * a key wins, as with successive sets.
   * @throws CacheConfigError, CacheKeyError, CacheSerializationError as `set` does; the closed error.
   */
  protected buildMany(
    entries: Iterable<readonly [string, V]>,
    options: SetOptions | undefined,
  ): (readonly [string, StoredEntry<V>])[] {
    return buildMany(this.#host, entries, options);
  }

  /** Counts the writes of a `setMany` and emits a `set` event for each. */
  protected reportSets(written: readonly (readonly [string, unknown])[]): void {
    this.stats.sets += written.length;
    if (this.emitter.listening) for (const [key] of written) this.emitter.emit('set', { key });
  }

  #fail(error: unknown, key?: string): never {
    const cacheError = toCacheError(error, 'backend operation failed', key);
    this.reportError(cacheError, key);
    throw cacheError;
  }

  /** Throws when the cache is closed. */
  protected checkOpen(): void {
    if (this.#closed) throw closedError(this.name);
  }

  /**
   * Throws for a bad key (see `validateKey`), or when the cache is closed. The common case (a
   * short key, well-formed) costs no call.
   */
  protected checkKey(key: unknown): asserts key is string {
    if (
      typeof key !== 'string' ||
      key.length === 0 ||
      key.length * 3 > this.maxKeyBytes ||
      !key.isWellFormed()
    )
      validateKey(key, this.maxKeyBytes);
    if (this.#closed) throw closedError(this.name);
  }

  /** Counts removals of live entries and emits a `delete` event for each, as `delete` does; returns the count. */
  protected reportDeletes(removed: readonly string[] | number): number {
    if (typeof removed === 'number') {
      this.stats.deletes += removed;
      return removed;
    }
    this.stats.deletes += removed.length;
    if (this.emitter.listening) for (const key of removed) this.emitter.emit('delete', { key });
    return removed.length;
  }

  /** The single-key read of `get`, `getOrThrow`, `getEntry` and `has`: checks, reads, classifies. */
  async #read(key: string): Promise<Lookup<V>> {
    this.checkKey(key);
    try {
      const found = classifyEntry(this.#host, key, await this.readEntry(key), this.now());
      return found instanceof Promise ? await found : found;
    } catch (error) {
      this.#fail(error, key);
    }
  }

  #count(key: string, hit: boolean): void {
    if (hit) {
      this.stats.hits++;
      this.emit('hit', { key });
    } else {
      this.stats.misses++;
      this.emit('miss', { key });
    }
  }

  // ---- the contract ----------------------------------------------------------------------------

  get<T extends V = V>(key: string): Promise<T | undefined> {
    if (cacheTracing.get.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'get', key }, () => this.#get<T>(key));
    return this.#get<T>(key);
  }

  async #get<T extends V = V>(key: string): Promise<T | undefined> {
    const found = await this.#read(key);
    const hit = found?.state === 'fresh';
    this.#count(key, hit);
    return hit ? (found.entry.value as T) : undefined;
  }

  getOrThrow<T extends V = V>(key: string): Promise<T> {
    return keyOps.getOrThrow<V, T>(this.#host, key);
  }

  getEntry<T extends V = V>(key: string): Promise<CacheEntryInfo<T> | undefined> {
    return keyOps.getEntry<V, T>(this.#host, key);
  }

  set(key: string, value: V, options?: SetOptions): Promise<void> {
    if (cacheTracing.set.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'set', key }, () =>
        this.#set(key, value, options),
      );
    return this.#set(key, value, options);
  }

  async #set(key: string, value: V, options?: SetOptions): Promise<void> {
    this.checkKey(key);
    const entry = this.buildEntry(value, options);
    try {
      await this.writeEntry(key, entry);
    } catch (error) {
      this.#fail(error, key);
    }
    this.stats.sets++;
    this.emit('set', { key });
  }

  add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    return keyOps.add(this.#host, key, value, options);
  }

  has(key: string): Promise<boolean> {
    return keyOps.has(this.#host, key);
  }

  delete(key: string): Promise<boolean> {
    return keyOps.deleteKey(this.#host, key);
  }

  getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]> {
    return getMany<V, T>(this.#host, keys);
  }

  setMany(entries: Iterable<readonly [string, V]>, options?: SetOptions): Promise<void> {
    return setMany(this.#host, entries, options);
  }

  deleteMany(keys: readonly string[]): Promise<number> {
    return deleteMany(this.#host, keys);
  }

  keys(options?: PrefixOptions): AsyncIterable<string> {
    return keyOps.listKeys(this.#host, options);
  }

  clear(options?: PrefixOptions): Promise<void> {
    return keyOps.clearPrefix(this.#host, options);
  }

  deleteMatching(pattern: string): Promise<number> {
    return deleteMatching(this.#host, pattern);
  }

  invalidateTags(tags: readonly string[]): Promise<void> {
    return invalidateTags(this.#host, this.#tagStamps, tags);
  }

  getOrSet<T extends V = V>(
    key: string,
    factory: (ctx: FactoryContext<V>) => T | Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T> {
    return getOrSet(this.#host, this.#flights, this.#onBackendError, key, factory, options) as Promise<T>;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void {
    return this.emitter.on(event, listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.closeBackend();
  }

  /** Whether `close()` was called. */
  protected get closed(): boolean {
    return this.#closed;
  }
}
