/**
 * `BaseCache`: everything a backend shares. A backend extends it and implements a few
 * primitives over stored entries; this class owns key checks, TTL parsing, stats, events,
 * expiry, tags (invalidation timestamps stored by the backend and checked on read), the checks
 * of `getOrSet` (its flow is factory-runner.ts, its single-flight get-or-set.ts), the error
 * classes of failed operations, and the fallbacks of the many-key operations. In-process
 * backends extend `SyncCache` (sync-cache.ts), built on this class. This file is over 400 lines
 * because the contract is one unit: each public method checks its arguments, calls the
 * primitives, counts and reports in the same way.
 */
import { type Clock, systemClock } from './clock.js';
import { type Duration, parseTtl } from './duration.js';
import { isLive, physicalExpiry, type StoredEntry } from './entry.js';
import {
  CacheConfigError,
  type CacheError,
  CacheErrorCode,
  CacheExpiredError,
  CacheInvalidationError,
  CacheKeyError,
  closedError,
  toCacheError,
  undefinedValueError,
} from './errors.js';
import { type CacheOperationMessage, cacheTracing, traceCacheOperation } from './diagnostics.js';
import { CacheEmitter } from './events.js';
import { type FactoryHost, type Lookup, resolveGetOrSet } from './factory-runner.js';
import { backendErrorPolicy, FlightTable, planGetOrSet } from './get-or-set.js';
import {
  checkWellFormed,
  DEFAULT_MAX_KEY_BYTES,
  globMatcher,
  globPrefix,
  validateKey,
  validateKeys,
  validateTags,
} from './keys.js';
import { validateOptions, validatePrefixOptions, validateSetOptions } from './options.js';
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

/** Options every backend accepts. */
export interface BaseCacheOptions {
  /** A name for logs and `CacheManager`. @default the backend's name */
  name?: string | undefined;
  /** TTL of writes that give none. @default never */
  defaultTtl?: Duration | undefined;
  /** Longest key in UTF-8 bytes. @default 1024 */
  maxKeyBytes?: number | undefined;
  /** Source of time, for tests and simulations. @default the system clock */
  clock?: Clock | undefined;
  /** The default of `getOrSet`'s {@link GetOrSetOptions.onBackendError}. @default 'throw' */
  onBackendError?: BackendErrorPolicy | undefined;
}

const NO_TAGS: readonly string[] = [];

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
  /** What a `getOrSet` computation (factory-runner.ts) needs of this cache. */
  readonly #factoryHost: FactoryHost<V>;
  #closed = false;
  readonly #onBackendError: BackendErrorPolicy;
  /** The latest tag invalidation stamp and tagged `createdAt` of this instance: they order same-millisecond events. */
  #lastInvalidationAt = Number.NEGATIVE_INFINITY;
  #lastTaggedWriteAt = Number.NEGATIVE_INFINITY;

  constructor(options: BaseCacheOptions = {}, defaultName = 'cache') {
    if (options === null || typeof options !== 'object')
      throw new CacheConfigError('options must be an object');
    this.name = options.name ?? defaultName;
    this.#factoryHost = {
      name: this.name,
      read: async (key) => this.#classify(key, await this.readEntry(key), this.now()),
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
    };
    this.clock = options.clock ?? systemClock;
    if (typeof this.clock.now !== 'function') throw new CacheConfigError('clock must have a now() method');
    this.defaultTtlMs = parseTtl(options.defaultTtl, 'defaultTtl');
    const maxKeyBytes = options.maxKeyBytes ?? DEFAULT_MAX_KEY_BYTES;
    if (!Number.isSafeInteger(maxKeyBytes) || maxKeyBytes <= 0) {
      throw new CacheConfigError(`maxKeyBytes must be a positive integer, got ${String(maxKeyBytes)}`);
    }
    this.maxKeyBytes = maxKeyBytes;
    this.#onBackendError = backendErrorPolicy(options.onBackendError, 'throw');
    this.stats = new CacheStats(() => this.statsExtra());
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
  protected async removeEntries(keys: readonly string[]): Promise<string[] | number> {
    const removed = await Promise.all(keys.map((key) => this.removeEntry(key)));
    const out: string[] = [];
    for (let i = 0; i < keys.length; i++) if (removed[i]) out.push(keys[i] as string);
    return out;
  }
  /**
   * Removes the keys matching a glob; override where the backend can match natively.
   * @returns the keys whose entry was live, each once, in no particular order (those
   * `deleteMatching` counts and reports with a `delete` event each); or, as for
   * {@link BaseCache.removeEntries}, only their number while `emitter.listening` is false.
   */
  protected async removeMatching(pattern: string): Promise<string[] | number> {
    const matches = globMatcher(pattern);
    const prefix = globPrefix(pattern);
    const matched = new Set<string>();
    for await (const key of this.scanKeys(prefix === '' ? undefined : prefix))
      if (matches(key)) matched.add(key);
    return matched.size === 0 ? [] : this.removeEntries([...matched]);
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
    return toInfo(key, entry);
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
    const createdAt = tags.length > 0 && now <= this.#lastInvalidationAt ? this.#lastInvalidationAt + 1 : now;
    if (tags.length > 0 && createdAt > this.#lastTaggedWriteAt) this.#lastTaggedWriteAt = createdAt;
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
    if (entries == null || typeof (entries as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new CacheConfigError('setMany takes an iterable of [key, value] pairs');
    }
    validateSetOptions(options, 'setMany');
    this.checkOpen();
    const built: (readonly [string, StoredEntry<V>])[] = [];
    const index = new Map<string, number>();
    for (const pair of entries) {
      if (!Array.isArray(pair)) throw new CacheConfigError('setMany takes an iterable of [key, value] pairs');
      const [key, value] = pair as readonly [string, V];
      validateKey(key, this.maxKeyBytes);
      const item = [key, this.buildEntry(value, options)] as const;
      const at = index.get(key);
      if (at === undefined) {
        index.set(key, built.length);
        built.push(item);
      } else built[at] = item;
    }
    return built;
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

  /**
   * The one place where a failed invalidation (`invalidateTags`, `deleteMatching`) becomes a
   * `CacheInvalidationError` carrying the backend's error as `cause`. Argument errors and the
   * closed state keep their own class.
   */
  #failInvalidation(error: unknown, what: string): never {
    const cacheError =
      error instanceof CacheKeyError || error instanceof CacheConfigError
        ? error
        : new CacheInvalidationError(
            `${what} failed: ${error instanceof Error ? error.message : String(error)}`,
            { cause: error },
          );
    this.reportError(cacheError);
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

  /**
   * {@link BaseCache.#lookup} without a promise for the common cases (a miss, or a live
   * entry without tags), so that hot paths await nothing more than the backend's read.
   */
  #classify(key: string, entry: StoredEntry<V> | undefined, now: number): Lookup<V> | Promise<Lookup<V>> {
    if (entry === undefined) return undefined;
    if (entry.tags.length === 0 && isLive(entry, now)) return { state: 'fresh', entry };
    return this.#lookup(key, entry, now);
  }

  /** Classifies a stored entry: fresh, stale (expired but held), or gone (removed here if dead). */
  async #lookup(key: string, entry: StoredEntry<V> | undefined, now: number): Promise<Lookup<V>> {
    if (entry === undefined) return undefined;
    if (entry.tags.length > 0 && (await this.#invalidatedByTag(entry))) {
      await this.removeDeadEntry(key, entry);
      return undefined;
    }
    if (isLive(entry, now)) return { state: 'fresh', entry };
    const until = physicalExpiry(entry);
    if (until !== undefined && now >= until) {
      await this.removeDeadEntry(key, entry);
      this.stats.expirations++;
      this.emit('expire', { key });
    }
    return { state: 'stale', entry };
  }

  async #invalidatedByTag(entry: StoredEntry<V>): Promise<boolean> {
    const times = await this.readTagInvalidations(entry.tags);
    for (const at of times) if (at !== undefined && at >= entry.createdAt) return true;
    return false;
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
      const found = this.#classify(key, await this.readEntry(key), this.now());
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
    if (cacheTracing.getOrThrow.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'getOrThrow', key }, () =>
        this.#getOrThrow<T>(key),
      );
    return this.#getOrThrow<T>(key);
  }

  async #getOrThrow<T extends V = V>(key: string): Promise<T> {
    const found = await this.#read(key);
    this.#count(key, found?.state === 'fresh');
    if (found?.state === 'fresh') return found.entry.value as T;
    if (found?.state === 'stale') throw new CacheExpiredError(`key has expired`, { key });
    throw new CacheKeyError(`key not found`, { key }, CacheErrorCode.keyMissing);
  }

  getEntry<T extends V = V>(key: string): Promise<CacheEntryInfo<T> | undefined> {
    if (cacheTracing.getEntry.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'getEntry', key }, () =>
        this.#getEntry<T>(key),
      );
    return this.#getEntry<T>(key);
  }

  async #getEntry<T extends V = V>(key: string): Promise<CacheEntryInfo<T> | undefined> {
    const found = await this.#read(key);
    const hit = found?.state === 'fresh';
    this.#count(key, hit);
    return hit ? (this.describeEntry(key, found.entry) as CacheEntryInfo<T>) : undefined;
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
    if (cacheTracing.add.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'add', key }, () =>
        this.#add(key, value, options),
      );
    return this.#add(key, value, options);
  }

  async #add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    this.checkKey(key);
    const entry = this.buildEntry(value, options);
    let added: boolean;
    try {
      // An entry invalidated by a tag counts as absent.
      const existing = await this.readEntry(key);
      if (existing && existing.tags.length > 0 && (await this.#invalidatedByTag(existing))) {
        await this.removeDeadEntry(key, existing);
      }
      added = await this.addEntry(key, entry);
    } catch (error) {
      this.#fail(error, key);
    }
    if (added) {
      this.stats.sets++;
      this.emit('set', { key });
    }
    return added;
  }

  has(key: string): Promise<boolean> {
    if (cacheTracing.has.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'has', key }, () => this.#has(key));
    return this.#has(key);
  }

  async #has(key: string): Promise<boolean> {
    return (await this.#read(key))?.state === 'fresh';
  }

  delete(key: string): Promise<boolean> {
    if (cacheTracing.delete.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'delete', key }, () => this.#delete(key));
    return this.#delete(key);
  }

  async #delete(key: string): Promise<boolean> {
    this.checkKey(key);
    let removed: boolean;
    try {
      removed = await this.removeEntry(key);
    } catch (error) {
      this.#fail(error, key);
    }
    if (removed) {
      this.stats.deletes++;
      this.emit('delete', { key });
    }
    return removed;
  }

  getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]> {
    if (cacheTracing.getMany.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'getMany', keys }, () =>
        this.#getMany<T>(keys),
      );
    return this.#getMany<T>(keys);
  }

  async #getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]> {
    validateKeys(keys, this.maxKeyBytes);
    this.checkOpen();
    if (keys.length === 0) return [];
    try {
      const entries = await this.readEntries(keys);
      const now = this.now();
      const values: (T | undefined)[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        let found = this.#classify(key, entries[i], now);
        if (found instanceof Promise) found = await found;
        const hit = found?.state === 'fresh';
        this.#count(key, hit);
        values[i] = hit && found ? (found.entry.value as T) : undefined;
      }
      return values;
    } catch (error) {
      this.#fail(error);
    }
  }

  setMany(entries: Iterable<readonly [string, V]>, options?: SetOptions): Promise<void> {
    if (cacheTracing.setMany.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'setMany' }, () =>
        this.#setMany(entries, options),
      );
    return this.#setMany(entries, options);
  }

  async #setMany(entries: Iterable<readonly [string, V]>, options?: SetOptions): Promise<void> {
    const built = this.buildMany(entries, options);
    if (built.length === 0) return;
    try {
      await this.writeEntries(built);
    } catch (error) {
      this.#fail(error);
    }
    this.reportSets(built);
  }

  deleteMany(keys: readonly string[]): Promise<number> {
    if (cacheTracing.deleteMany.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'deleteMany', keys }, () =>
        this.#deleteMany(keys),
      );
    return this.#deleteMany(keys);
  }

  async #deleteMany(keys: readonly string[]): Promise<number> {
    validateKeys(keys, this.maxKeyBytes);
    this.checkOpen();
    const unique = [...new Set(keys)];
    if (unique.length === 0) return 0;
    let removed: readonly string[] | number;
    try {
      removed = await this.removeEntries(unique);
    } catch (error) {
      this.#fail(error);
    }
    return this.reportDeletes(removed);
  }

  async *keys(options?: PrefixOptions): AsyncIterable<string> {
    const prefix = validatePrefixOptions(options, 'keys');
    this.checkOpen();
    try {
      yield* this.scanKeys(prefix);
    } catch (error) {
      this.#fail(error);
    }
  }

  clear(options?: PrefixOptions): Promise<void> {
    if (cacheTracing.clear.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'clear' }, () => this.#clear(options));
    return this.#clear(options);
  }

  async #clear(options?: PrefixOptions): Promise<void> {
    const prefix = validatePrefixOptions(options, 'clear');
    this.checkOpen();
    try {
      await this.clearEntries(prefix);
    } catch (error) {
      this.#fail(error);
    }
    this.emit('clear', { prefix });
  }

  deleteMatching(pattern: string): Promise<number> {
    if (cacheTracing.deleteMatching.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'deleteMatching', pattern }, () =>
        this.#deleteMatching(pattern),
      );
    return this.#deleteMatching(pattern);
  }

  async #deleteMatching(pattern: string): Promise<number> {
    if (typeof pattern !== 'string' || pattern.length === 0) {
      throw new CacheConfigError('deleteMatching takes a non-empty glob pattern');
    }
    checkWellFormed(pattern, 'a pattern');
    this.checkOpen();
    let removed: readonly string[] | number;
    try {
      removed = await this.removeMatching(pattern);
    } catch (error) {
      this.#failInvalidation(error, 'deleteMatching');
    }
    return this.reportDeletes(removed);
  }

  invalidateTags(tags: readonly string[]): Promise<void> {
    if (cacheTracing.invalidateTags.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'invalidateTags', tags }, () =>
        this.#invalidateTags(tags),
      );
    return this.#invalidateTags(tags);
  }

  async #invalidateTags(tags: readonly string[]): Promise<void> {
    const list = validateTags(tags);
    this.checkOpen();
    if (list.length === 0) return;
    // Stamp no earlier than this instance's latest tagged write, so a write in the same millisecond counts as earlier.
    const at = Math.max(this.now(), this.#lastTaggedWriteAt);
    if (at > this.#lastInvalidationAt) this.#lastInvalidationAt = at;
    try {
      await this.writeTagInvalidations(list, at);
    } catch (error) {
      this.#failInvalidation(error, 'invalidateTags');
    }
  }

  getOrSet<T extends V = V>(
    key: string,
    factory: (ctx: FactoryContext<V>) => T | Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T> {
    if (cacheTracing.getOrSet.hasSubscribers) {
      const message: CacheOperationMessage = { cache: this.name, operation: 'getOrSet', key };
      return traceCacheOperation(message, () => this.#getOrSet(key, factory, options, message)) as Promise<T>;
    }
    return this.#getOrSet(key, factory, options) as Promise<T>;
  }

  async #getOrSet(
    key: string,
    factory: (ctx: FactoryContext<V>) => V | Promise<V>,
    options: GetOrSetOptions | undefined,
    message?: CacheOperationMessage,
  ): Promise<V> {
    validateKey(key, this.maxKeyBytes);
    if (typeof factory !== 'function') throw new CacheConfigError('getOrSet takes a factory function');
    const plan = planGetOrSet(options, this.#onBackendError);
    this.checkOpen();
    return resolveGetOrSet(this.#factoryHost, this.#flights, { key, factory, options, plan }, message);
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

function toInfo<V>(key: string, entry: StoredEntry<V>): CacheEntryInfo<V> {
  const info: CacheEntryInfo<V> = {
    key,
    value: entry.value,
    createdAt: entry.createdAt,
    expiresAt: entry.expiresAt,
    tags: entry.tags,
  };
  if (entry.size !== undefined) info.size = entry.size;
  if (entry.hits !== undefined) info.hits = entry.hits;
  if (entry.lastAccessAt !== undefined) info.lastAccessAt = entry.lastAccessAt;
  return info;
}
