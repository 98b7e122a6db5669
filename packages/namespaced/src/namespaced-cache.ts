/**
 * `NamespacedCache`: a `Cache` over a part of another cache. Key layout in the inner cache:
 * `<encoded namespace><separator><key>` (see {@link namespacePrefix}); tags are prefixed the
 * same way, so `invalidateTags` in one namespace never reaches another's entries. Every call
 * delegates to the inner cache (single-flight, expiry and tags stay there). Stats and events
 * come from the inner cache's events for this namespace's keys, which the namespace always
 * listens to (it needs them for its own counters), plus its own counts of deletes.
 */
import {
  type Cache,
  type CacheEntryInfo,
  CacheConfigError,
  CacheError,
  type CacheEventMap,
  type CacheEventName,
  CacheExpiredError,
  CacheKeyError,
  type CacheListener,
  CacheTimeoutError,
  type FactoryContext,
  type GetOrSetOptions,
  type PrefixOptions,
  type SetOptions,
} from '@cache/core';
import {
  CacheEmitter,
  CacheStats,
  checkOptionNames,
  closedError,
  parseTtl,
  removeMatchingKeys,
  validateGlobPattern,
  validateKey,
  validatePrefix,
  validateTags,
} from '@cache/core/backend';
import { namespacePrefix } from './namespace-prefix.js';

/** Options of {@link namespaced}. */
export interface NamespacedOptions {
  /**
   * Goes between the namespace and each key: one ASCII character other than a letter, a digit,
   * `%`, `-`, `.`, `_` and `~` (see {@link namespacePrefix}). @default ':'
   */
  separator?: string | undefined;
  /** A name for logs and `CacheManager`. @default `${inner.name}/${namespace}` */
  name?: string | undefined;
  /** Whether `close()` also closes the inner cache. @default false */
  closeInner?: boolean | undefined;
}

const OPTIONS = new Set(['separator', 'name', 'closeInner']);

const KEY_EVENTS = ['hit', 'miss', 'set', 'delete', 'evict', 'expire'] as const;

/** Refuses options that are given but are not an object (`null`, a number, an array...). */
function checkOptionsObject(options: unknown, what: string): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options)))
    throw new CacheConfigError(`${what} options must be an object`);
}

/** The `prefix` of `keys()` or `clear()` options, checked as every backend checks it; `''` when absent. */
function checkPrefixOption(options: PrefixOptions | undefined, what: string): string {
  checkOptionsObject(options, what);
  return validatePrefix(options?.prefix) ?? '';
}

/**
 * The inner cache's own key errors and timeouts name the prefixed key: give the caller the same
 * class and code with its own key (the original as `cause`). Anything else, such as a factory's
 * error, passes unchanged.
 */
function rekey(error: unknown, inner: string, key: string): unknown {
  if (!(error instanceof CacheError) || error.key !== inner) return error;
  const options = { key, cause: error };
  if (error instanceof CacheExpiredError) return new CacheExpiredError('key has expired', options);
  if (error instanceof CacheKeyError) return new CacheKeyError(error.message, options, error.code);
  if (error instanceof CacheTimeoutError) return new CacheTimeoutError(error.message, options);
  return error;
}

/** A namespace of another cache: its own keys, `clear()`, tags, stats and events. */
export class NamespacedCache<V = unknown> implements Cache<V> {
  readonly name: string;
  readonly stats = new CacheStats();
  /** The namespace as given. */
  readonly namespace: string;
  /** What this namespace puts before each key and tag in the inner cache. */
  readonly prefix: string;
  readonly #inner: Cache<V>;
  readonly #closeInner: boolean;
  readonly #emitter = new CacheEmitter();
  readonly #unsubscribe: (() => void)[] = [];
  /** Errors already counted from a keyed inner `error` event. */
  readonly #counted = new WeakSet<object>();
  /** Errors the inner cache reported without a key: counted when one of this namespace's calls throws them. */
  readonly #keyless = new WeakSet<object>();
  #closed = false;

  constructor(inner: Cache<V>, namespace: string, options: NamespacedOptions = {}) {
    if (inner === null || typeof inner !== 'object' || typeof inner.get !== 'function') {
      throw new CacheConfigError('namespaced takes a Cache');
    }
    checkOptionsObject(options, 'namespaced');
    checkOptionNames(options, OPTIONS, 'namespaced', false);
    if (options.name !== undefined && typeof options.name !== 'string')
      throw new CacheConfigError('name must be a string');
    if (options.closeInner !== undefined && typeof options.closeInner !== 'boolean')
      throw new CacheConfigError('closeInner must be a boolean');
    this.prefix = namespacePrefix(namespace, options.separator ?? ':');
    this.namespace = namespace;
    this.name = options.name ?? `${inner.name}/${namespace}`;
    this.#inner = inner;
    this.#closeInner = options.closeInner ?? false;
    for (const event of KEY_EVENTS) {
      this.#unsubscribe.push(inner.on(event, (payload) => this.#onKeyEvent(event, payload)));
    }
    this.#unsubscribe.push(inner.on('clear', (payload) => this.#onClear(payload.prefix)));
    this.#unsubscribe.push(inner.on('error', (payload) => this.#onError(payload)));
  }

  // ---- inner events ---------------------------------------------------------------------------

  #onKeyEvent(event: (typeof KEY_EVENTS)[number], payload: CacheEventMap[(typeof KEY_EVENTS)[number]]): void {
    if (!payload.key.startsWith(this.prefix)) return;
    if (event === 'hit') this.stats.hits++;
    else if (event === 'miss') this.stats.misses++;
    else if (event === 'set') this.stats.sets++;
    else if (event === 'expire') this.stats.expirations++;
    else if (event === 'evict') this.stats.evicted((payload as CacheEventMap['evict']).reason);
    if (this.#emitter.listening)
      this.#emitter.emit(event, { ...payload, key: payload.key.slice(this.prefix.length) });
  }

  #onClear(prefix: string | undefined): void {
    if (!this.#emitter.listening) return;
    if (prefix === undefined || this.prefix.startsWith(prefix))
      this.#emitter.emit('clear', { prefix: undefined });
    else if (prefix.startsWith(this.prefix))
      this.#emitter.emit('clear', { prefix: prefix.slice(this.prefix.length) });
  }

  #onError(payload: CacheEventMap['error']): void {
    if (payload.key === undefined) {
      this.#keyless.add(payload.error);
      return;
    }
    if (!payload.key.startsWith(this.prefix)) return;
    this.stats.errors++;
    this.#counted.add(payload.error);
    if (this.#emitter.listening) {
      this.#emitter.emit('error', { error: payload.error, key: payload.key.slice(this.prefix.length) });
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  #key(key: unknown): string {
    validateKey(key, Number.POSITIVE_INFINITY);
    return this.prefix + key;
  }

  #keys(keys: readonly unknown[]): string[] {
    if (!Array.isArray(keys)) throw new CacheKeyError('keys must be an array of strings');
    return keys.map((key) => this.#key(key));
  }

  #tags(tags: unknown): string[] {
    return validateTags(tags).map((tag) => this.prefix + tag);
  }

  /**
   * Checks the options of a write as every backend does (an object, a valid `ttl`, valid tags),
   * so a bad one is a `CacheConfigError` whatever the inner cache, and prefixes the tags.
   */
  #options<O extends SetOptions>(options: O | undefined, what: string): O | undefined {
    checkOptionsObject(options, what);
    if (options === undefined) return undefined;
    if (options.ttl !== undefined) parseTtl(options.ttl);
    return options.tags === undefined ? options : { ...options, tags: this.#tags(options.tags) };
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError(this.name);
  }

  /** Runs an inner call; counts and reports a failure that the inner cache reported without a key. */
  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (
        typeof error === 'object' &&
        error !== null &&
        this.#keyless.has(error) &&
        !this.#counted.has(error)
      ) {
        this.#counted.add(error);
        this.stats.errors++;
        if (this.#emitter.listening)
          this.#emitter.emit('error', { error: error as CacheEventMap['error']['error'] });
      }
      throw error;
    }
  }

  #strip(key: string): string {
    return key.startsWith(this.prefix) ? key.slice(this.prefix.length) : key;
  }

  // ---- the contract ---------------------------------------------------------------------------

  async get<T extends V = V>(key: string): Promise<T | undefined> {
    const inner = this.#key(key);
    this.#checkOpen();
    return this.#call(() => this.#inner.get<T>(inner));
  }

  async getOrThrow<T extends V = V>(key: string): Promise<T> {
    const inner = this.#key(key);
    this.#checkOpen();
    try {
      return await this.#call(() => this.#inner.getOrThrow<T>(inner));
    } catch (error) {
      throw rekey(error, inner, key);
    }
  }

  async getEntry<T extends V = V>(key: string): Promise<CacheEntryInfo<T> | undefined> {
    const inner = this.#key(key);
    this.#checkOpen();
    const info = await this.#call(() => this.#inner.getEntry<T>(inner));
    return info === undefined ? undefined : { ...info, key, tags: info.tags.map((tag) => this.#strip(tag)) };
  }

  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    const inner = this.#key(key);
    const mapped = this.#options(options, 'set');
    this.#checkOpen();
    await this.#call(() => this.#inner.set(inner, value, mapped));
  }

  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    const inner = this.#key(key);
    const mapped = this.#options(options, 'add');
    this.#checkOpen();
    return this.#call(() => this.#inner.add(inner, value, mapped));
  }

  async has(key: string): Promise<boolean> {
    const inner = this.#key(key);
    this.#checkOpen();
    return this.#call(() => this.#inner.has(inner));
  }

  async delete(key: string): Promise<boolean> {
    const inner = this.#key(key);
    this.#checkOpen();
    const removed = await this.#call(() => this.#inner.delete(inner));
    if (removed) this.stats.deletes++;
    return removed;
  }

  async getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]> {
    const inner = this.#keys(keys);
    this.#checkOpen();
    return this.#call(() => this.#inner.getMany<T>(inner));
  }

  async setMany(entries: Iterable<readonly [string, V]>, options?: SetOptions): Promise<void> {
    if (entries == null || typeof (entries as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new CacheConfigError('setMany takes an iterable of [key, value] pairs');
    }
    const pairs: [string, V][] = [];
    for (const pair of entries) {
      if (!Array.isArray(pair)) throw new CacheConfigError('setMany takes an iterable of [key, value] pairs');
      pairs.push([this.#key(pair[0]), pair[1] as V]);
    }
    const mapped = this.#options(options, 'setMany');
    this.#checkOpen();
    await this.#call(() => this.#inner.setMany(pairs, mapped));
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    const inner = this.#keys(keys);
    this.#checkOpen();
    const removed = await this.#call(() => this.#inner.deleteMany(inner));
    this.stats.deletes += removed;
    return removed;
  }

  async *keys(options?: PrefixOptions): AsyncIterable<string> {
    const prefix = this.prefix + checkPrefixOption(options, 'keys');
    this.#checkOpen();
    const length = this.prefix.length;
    const iterator = this.#inner.keys({ prefix })[Symbol.asyncIterator]();
    let done = false;
    try {
      for (;;) {
        const next = await this.#call(() => iterator.next());
        if ((done = next.done === true)) return;
        yield next.value.slice(length);
      }
    } finally {
      // A consumer that stops early (break, throw) releases the inner scan too.
      if (!done) await iterator.return?.();
    }
  }

  async clear(options?: PrefixOptions): Promise<void> {
    const prefix = this.prefix + checkPrefixOption(options, 'clear');
    this.#checkOpen();
    await this.#call(() => this.#inner.clear({ prefix }));
  }

  async deleteMatching(pattern: string): Promise<number> {
    validateGlobPattern(pattern);
    this.#checkOpen();
    // The inner glob has no escape character, so the pattern cannot be put behind this prefix:
    // match this namespace's own (unprefixed) keys, then delete their inner keys.
    const removed = await removeMatchingKeys(
      (prefix) => this.keys({ prefix }),
      (keys) => this.#call(() => this.#inner.deleteMany(keys.map((key) => this.prefix + key))),
      pattern,
    );
    const count = typeof removed === 'number' ? removed : removed.length;
    this.stats.deletes += count;
    return count;
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    const inner = this.#tags(tags);
    this.#checkOpen();
    await this.#call(() => this.#inner.invalidateTags(inner));
  }

  async getOrSet<T extends V = V>(
    key: string,
    factory: (ctx: FactoryContext<V>) => T | Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T> {
    const inner = this.#key(key);
    if (typeof factory !== 'function') throw new CacheConfigError('getOrSet takes a factory function');
    const mapped = this.#options(options, 'getOrSet');
    this.#checkOpen();
    const run = (ctx: FactoryContext<V>) => factory({ key, staleValue: ctx.staleValue, signal: ctx.signal });
    try {
      return await this.#call(() => this.#inner.getOrSet(inner, run, mapped));
    } catch (error) {
      throw rekey(error, inner, key);
    }
  }

  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void {
    return this.#emitter.on(event, listener);
  }

  /** Stops listening to the inner cache; closes it only with `closeInner: true`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe.splice(0)) off();
    if (this.#closeInner) await this.#inner.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
