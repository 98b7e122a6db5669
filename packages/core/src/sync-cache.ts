/**
 * `SyncCache`: the base of in-process backends, whose store answers at once. The backend
 * implements synchronous primitives; this class gives it the synchronous API (`getSync`,
 * `setSync`, ...) with the contract's checks, counts and events, and derives from it both the
 * async `Cache` methods (one promise per call, nothing else) and the async primitives that
 * `BaseCache`'s generic paths use (`getOrThrow`, `getEntry`, `getOrSet` misses, `keys`, `clear`,
 * `deleteMatching`, tags).
 *
 * Tags are invalidated eagerly: `invalidateTags` removes the tagged entries at once, so a read
 * never has invalidation times to compare.
 */
import { BaseCache } from './base-cache.js';
import { cacheTracing, traceCacheOperation } from './diagnostics.js';
import { type Duration, parseTtl } from './duration.js';
import type { StoredEntry } from './entry.js';
import { undefinedValueError } from './errors.js';
import { validateKeys, validateTags } from './keys.js';
import { validateOptions } from './options.js';
import type { FactoryContext, GetOrSetOptions, SetOptions } from './types.js';

const NO_TAGS: readonly string[] = Object.freeze([]);

/**
 * The base class of in-process backends. Subclasses implement the protected synchronous
 * primitives; the public methods implement the contract of {@link Cache} on top of them.
 *
 * The read primitives are called before the key is checked (a bad key is checked, and refused,
 * only when nothing was found): they must answer "nothing" for any key they do not hold. A closed
 * cache holds nothing: `closeBackend` must remove every entry before its first `await`.
 */
export abstract class SyncCache<V = unknown> extends BaseCache<V> {
  /** The last string `ttl` option and its value in ms. */
  #ttlText: string | undefined;
  #ttlParsed: number | undefined;

  // ---- synchronous primitives -------------------------------------------------------------------

  /**
   * The live value of `key` with the read recorded (recency, hit counts), or `undefined`. An
   * entry found dead is removed (reported with {@link SyncCache.reportExpiration}).
   */
  protected abstract readValue(key: string): V | undefined;
  /** The live value of `key` with no side effect at all, or `undefined`. */
  protected abstract peekValue(key: string): V | undefined;
  /** Whether `key` has a live entry; records no read, and removes an entry found dead. */
  protected abstract hasEntrySync(key: string): boolean;
  /**
   * Stores a checked value that lives `ttl` ms (`undefined` = forever) with checked tags.
   * Everything that can fail must fail before anything changes.
   */
  protected abstract storeValue(
    key: string,
    value: V,
    ttl: number | undefined,
    tags: readonly string[],
  ): void;
  /** The stored entry (as `BaseCache.readEntry`), with the read recorded when it is live. */
  protected abstract readEntrySync(key: string): StoredEntry<V> | undefined;
  /** Stores an entry, replacing any (as `BaseCache.writeEntry`). */
  protected abstract writeEntrySync(key: string, entry: StoredEntry<V>): void;
  /** Removes an entry; reports whether a live one existed. */
  protected abstract removeEntrySync(key: string): boolean;
  /** The live keys, only those starting with `prefix` when given; removals while iterating are safe. */
  protected abstract scanKeysSync(prefix: string | undefined): Iterable<string>;
  /** Removes every entry, only those starting with `prefix` when given. */
  protected abstract clearEntriesSync(prefix: string | undefined): void;
  /** Removes every entry carrying one of `tags`. */
  protected abstract removeTagged(tags: readonly string[]): void;
  /**
   * Stores many checked entries. The default writes them one by one; override it where a write
   * can fail (a value to encode, a size to check), to fail before the first one.
   */
  protected writeEntriesSync(entries: readonly (readonly [string, StoredEntry<V>])[]): void {
    for (const [key, entry] of entries) this.writeEntrySync(key, entry);
  }

  /** Counts an entry that a read or a sweep found past its expiry and removed, with an `expire` event. */
  protected reportExpiration(key: string): void {
    this.stats.expirations++;
    if (this.emitter.listening) this.emitter.emit('expire', { key });
  }

  // ---- the synchronous API ----------------------------------------------------------------------

  /**
   * The value, or `undefined` on a miss: `get` without the promise. Counts a hit or a miss and
   * records the read.
   * @throws CacheKeyError for a bad key; CacheConfigError after `close()`.
   */
  getSync<T extends V = V>(key: string): T | undefined {
    const value = this.readValue(key);
    if (value === undefined) return this.#miss(key);
    this.#hit(key);
    return value as T;
  }

  /**
   * The live value without any side effect: no stats, no events, no recency update, and an
   * expired entry is left in place. `undefined` on a miss.
   * @throws CacheKeyError for a bad key; CacheConfigError after `close()`.
   */
  peek<T extends V = V>(key: string): T | undefined {
    const value = this.peekValue(key);
    if (value === undefined) this.checkKey(key);
    return value as T | undefined;
  }

  /**
   * Stores a value: `set` without the promise.
   * @throws CacheKeyError, CacheConfigError (bad options, closed), CacheSerializationError
   * (`undefined`, or a value the backend cannot encode), and what the backend refuses (for
   * example CacheFullError). A failed set changes nothing.
   */
  setSync(key: string, value: V, options?: SetOptions): void {
    this.checkKey(key);
    if (value === undefined) throw undefinedValueError(key);
    if (options === undefined) this.storeValue(key, value, this.defaultTtlMs, NO_TAGS);
    else {
      validateOptions(options, 'set');
      this.storeValue(key, value, this.#ttl(options), this.#tags(options));
    }
    this.stats.sets++;
    if (this.emitter.listening) this.emitter.emit('set', { key });
  }

  /**
   * Stores a value only if the key has no live entry: `add` without the promise.
   * @returns whether it stored the value. @throws as {@link SyncCache.setSync}.
   */
  addSync(key: string, value: V, options?: SetOptions): boolean {
    this.checkKey(key);
    if (value === undefined) throw undefinedValueError(key);
    if (options !== undefined) validateOptions(options, 'add');
    const ttl = this.#ttl(options);
    const tags = this.#tags(options);
    if (this.hasEntrySync(key)) return false;
    this.storeValue(key, value, ttl, tags);
    this.stats.sets++;
    if (this.emitter.listening) this.emitter.emit('set', { key });
    return true;
  }

  /**
   * Whether a live entry exists: `has` without the promise. Counts no hit or miss.
   * @throws CacheKeyError; CacheConfigError after `close()`.
   */
  hasSync(key: string): boolean {
    if (this.hasEntrySync(key)) return true;
    this.checkKey(key);
    return false;
  }

  /**
   * Removes an entry: `delete` without the promise.
   * @returns whether a live entry existed. @throws CacheKeyError; CacheConfigError after `close()`.
   */
  deleteSync(key: string): boolean {
    this.checkKey(key);
    if (!this.removeEntrySync(key)) return false;
    this.stats.deletes++;
    if (this.emitter.listening) this.emitter.emit('delete', { key });
    return true;
  }

  #hit(key: string): void {
    this.stats.hits++;
    if (this.emitter.listening) this.emitter.emit('hit', { key });
  }

  #miss(key: string): undefined {
    this.checkKey(key);
    this.stats.misses++;
    if (this.emitter.listening) this.emitter.emit('miss', { key });
    return undefined;
  }

  /** The TTL in ms of a write's options; the last string parsed is remembered. */
  #ttl(options: SetOptions | undefined): number | undefined {
    const ttl: Duration | undefined = options?.ttl;
    if (ttl === undefined) return this.defaultTtlMs;
    if (typeof ttl !== 'string') return parseTtl(ttl);
    if (ttl !== this.#ttlText) {
      this.#ttlParsed = parseTtl(ttl);
      this.#ttlText = ttl;
    }
    return this.#ttlParsed;
  }

  #tags(options: SetOptions | undefined): readonly string[] {
    return options?.tags === undefined ? NO_TAGS : validateTags(options.tags);
  }

  // ---- the async contract, derived --------------------------------------------------------------

  override async get<T extends V = V>(key: string): Promise<T | undefined> {
    if (cacheTracing.get.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'get', key }, () => this.getSync<T>(key));
    return this.getSync<T>(key);
  }

  override async set(key: string, value: V, options?: SetOptions): Promise<void> {
    if (cacheTracing.set.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'set', key }, () =>
        this.setSync(key, value, options),
      );
    this.setSync(key, value, options);
  }

  override async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    if (cacheTracing.add.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'add', key }, () =>
        this.addSync(key, value, options),
      );
    return this.addSync(key, value, options);
  }

  override async has(key: string): Promise<boolean> {
    if (cacheTracing.has.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'has', key }, () => this.hasSync(key));
    return this.hasSync(key);
  }

  override async delete(key: string): Promise<boolean> {
    if (cacheTracing.delete.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'delete', key }, () => this.deleteSync(key));
    return this.deleteSync(key);
  }

  override async getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]> {
    if (cacheTracing.getMany.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'getMany', keys }, () =>
        this.#getMany<T>(keys),
      );
    return this.#getMany<T>(keys);
  }

  #getMany<T extends V = V>(keys: readonly string[]): (T | undefined)[] {
    validateKeys(keys, this.maxKeyBytes);
    this.checkOpen();
    return keys.map((key) => this.getSync<T>(key));
  }

  override async setMany(entries: Iterable<readonly [string, V]>, options?: SetOptions): Promise<void> {
    if (cacheTracing.setMany.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'setMany' }, () =>
        this.#setMany(entries, options),
      );
    this.#setMany(entries, options);
  }

  #setMany(entries: Iterable<readonly [string, V]>, options: SetOptions | undefined): void {
    const built = this.buildMany(entries, options);
    if (built.length === 0) return;
    this.writeEntriesSync(built);
    this.reportSets(built);
  }

  override async deleteMany(keys: readonly string[]): Promise<number> {
    if (cacheTracing.deleteMany.hasSubscribers)
      return traceCacheOperation({ cache: this.name, operation: 'deleteMany', keys }, () =>
        this.#deleteMany(keys),
      );
    return this.#deleteMany(keys);
  }

  #deleteMany(keys: readonly string[]): number {
    validateKeys(keys, this.maxKeyBytes);
    this.checkOpen();
    return this.reportDeletes(this.#removeAll(new Set(keys)));
  }

  #removeAll(keys: Iterable<string>): string[] {
    const removed: string[] = [];
    for (const key of keys) if (this.removeEntrySync(key)) removed.push(key);
    return removed;
  }

  override getOrSet<T extends V = V>(
    key: string,
    factory: (ctx: FactoryContext<V>) => T | Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T> {
    // A plain hit needs none of the single-flight machinery (a traced call goes through BaseCache,
    // which publishes it).
    if (options === undefined && typeof factory === 'function' && !cacheTracing.getOrSet.hasSubscribers) {
      const value = this.readValue(key);
      if (value !== undefined) {
        this.#hit(key);
        return Promise.resolve(value as T);
      }
    }
    return super.getOrSet(key, factory, options);
  }

  // ---- BaseCache's primitives, derived ----------------------------------------------------------

  protected async readEntry(key: string): Promise<StoredEntry<V> | undefined> {
    return this.readEntrySync(key);
  }
  protected async writeEntry(key: string, entry: StoredEntry<V>): Promise<void> {
    this.writeEntrySync(key, entry);
  }
  protected override async writeEntries(
    entries: readonly (readonly [string, StoredEntry<V>])[],
  ): Promise<void> {
    this.writeEntriesSync(entries);
  }
  protected async addEntry(key: string, entry: StoredEntry<V>): Promise<boolean> {
    if (this.hasEntrySync(key)) return false;
    this.writeEntrySync(key, entry);
    return true;
  }
  protected async removeEntry(key: string): Promise<boolean> {
    return this.removeEntrySync(key);
  }
  protected override async removeEntries(keys: readonly string[]): Promise<string[]> {
    return this.#removeAll(keys);
  }
  protected async *scanKeys(prefix: string | undefined): AsyncIterable<string> {
    yield* this.scanKeysSync(prefix);
  }
  protected async clearEntries(prefix: string | undefined): Promise<void> {
    this.clearEntriesSync(prefix);
  }
  /** Tags are removed eagerly: an entry held was never invalidated. */
  protected async readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]> {
    return tags.map(() => undefined);
  }
  protected async writeTagInvalidations(tags: readonly string[], _at: number): Promise<void> {
    this.removeTagged(tags);
  }
}
