/**
 * `refreshAhead(cache, { load, ttl, refreshAfter })`: a loading cache whose reads of an entry
 * older than `refreshAfter` return the current value at once and reload it in the background, so
 * that hot keys never expire under their readers (Caffeine's `refreshAfterWrite`).
 *
 * - One reload per key at a time; a write that lands while a reload runs wins (the reload's value
 *   is dropped); a failed reload keeps the value and emits `error`.
 * - `beta` adds XFetch (Vattani et al., VLDB 2015): a read may also reload early, with a
 *   probability that grows as expiry nears and with the cost of the last load, which spreads the
 *   reloads of a fleet without any coordination.
 * - `hot` refreshes the hottest keys proactively before they expire: from the backend's own
 *   frequency data (`MemoryCache.hottest(n)`), else from a decayed count of reads kept here.
 */
import {
  type Cache,
  CacheConfigError,
  type CacheEntryInfo,
  type CacheEventName,
  type CacheListener,
  type Clock,
  type Duration,
  type FactoryContext,
  type GetOrSetOptions,
  type PrefixOptions,
  type SetOptions,
  systemClock,
} from '@cache/core';
import { CacheEmitter, parseTimerDuration, parseTtl, toCacheError } from '@cache/core/backend';

/** What `load` receives. */
export interface RefreshLoadContext<V> {
  readonly key: string;
  /** The value being refreshed, when there is one. */
  readonly currentValue: V | undefined;
}

/** Options of {@link refreshAhead}. */
export interface RefreshAheadOptions<V> {
  /** Loads the value of a key (on a miss, and for each refresh). */
  load: (key: string, ctx: RefreshLoadContext<V>) => V | Promise<V>;
  /** The TTL of loaded values. */
  ttl: Duration;
  /** A read of an entry older than this reloads it in the background. Must be below `ttl`. */
  refreshAfter: Duration;
  /** XFetch's beta (1 is the paper's default; above 1 refreshes earlier). @default none */
  beta?: number | undefined;
  /** Tags of loaded values. */
  tags?: readonly string[] | undefined;
  /**
   * Refresh the `count` hottest keys every `every` before they expire (those older than
   * `refreshAfter`). @default none
   */
  hot?: { count: number; every: Duration } | undefined;
  /** Time, for tests and simulations. @default the system clock */
  clock?: Clock | undefined;
  /** A source of uniform numbers in [0, 1), for XFetch. @default Math.random */
  random?: (() => number) | undefined;
}

/** A cache that exposes its own frequency data (`MemoryCache`). */
interface HasHottest {
  hottest(n: number): string[];
}

/**
 * Whether a cache ranks its keys itself: it has `hottest`, and it has something to rank by
 * (a `MemoryCache` refuses without a frequency policy or `trackReads`).
 */
function ranksHottest<C extends object>(cache: C): cache is C & HasHottest {
  if (typeof (cache as Partial<HasHottest>).hottest !== 'function') return false;
  try {
    (cache as C & HasHottest).hottest(0);
    return true;
  } catch {
    return false;
  }
}

/** Reads counted per key, halved every `period` reads: a small decayed sketch of what is hot. */
class ReadCounts {
  readonly #counts = new Map<string, number>();
  readonly #limit: number;
  #reads = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(key: string): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    if (++this.#reads >= this.#limit * 10) this.#decay();
    else if (this.#counts.size > this.#limit * 4) this.#decay();
  }

  top(n: number): string[] {
    return [...this.#counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key]) => key);
  }

  #decay(): void {
    this.#reads = 0;
    for (const [key, count] of this.#counts) {
      if (count <= 1) this.#counts.delete(key);
      else this.#counts.set(key, count >>> 1);
    }
  }
}

/** The counters of a refresh-ahead cache. */
export interface RefreshCounters {
  /** Loads on a miss. */
  loads: number;
  /** Background reloads started (by age, by XFetch, or proactively). */
  refreshes: number;
  /** Reloads whose value was dropped because a write landed first. */
  superseded: number;
  /** Reloads that failed (the value was kept). */
  failures: number;
}

export class RefreshAheadCache<V = unknown> implements Cache<V> {
  readonly name: string;
  readonly counters: RefreshCounters = { loads: 0, refreshes: 0, superseded: 0, failures: 0 };
  readonly #cache: Cache<V>;
  readonly #load: RefreshAheadOptions<V>['load'];
  readonly #ttl: number;
  readonly #refreshAfter: number;
  readonly #beta: number | undefined;
  readonly #tags: readonly string[] | undefined;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #emitter = new CacheEmitter();
  /** The reloads in flight, one per key. */
  readonly #reloads = new Map<string, Promise<void>>();
  /** Per key, how many writes went through this cache (a reload started before a write loses). */
  readonly #writes = new Map<string, number>();
  /** The duration of the latest load of each key, for XFetch. */
  readonly #costs = new Map<string, number>();
  readonly #reads: ReadCounts | undefined;
  readonly #hotTimer: NodeJS.Timeout | undefined;
  readonly #unsubscribe: () => void;

  constructor(cache: Cache<V>, options: RefreshAheadOptions<V>) {
    if (cache === null || typeof cache !== 'object' || typeof cache.getEntry !== 'function')
      throw new CacheConfigError('refreshAhead takes a Cache');
    if (options === null || typeof options !== 'object' || typeof options.load !== 'function')
      throw new CacheConfigError('refreshAhead needs a load(key) function');
    this.#cache = cache;
    this.name = cache.name;
    this.#load = options.load;
    const ttl = parseTtl(options.ttl, 'ttl');
    if (ttl === undefined) throw new CacheConfigError('refreshAhead needs a finite ttl');
    this.#ttl = ttl;
    this.#refreshAfter = parseTimerDuration(options.refreshAfter, 'refreshAfter');
    if (this.#refreshAfter >= ttl) throw new CacheConfigError('refreshAfter must be shorter than ttl');
    if (options.beta !== undefined && !(Number.isFinite(options.beta) && options.beta > 0))
      throw new CacheConfigError('beta must be a positive number');
    this.#beta = options.beta;
    this.#tags = options.tags;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#unsubscribe = cache.on('error', (payload) => this.#emitter.emit('error', payload));
    const hot = options.hot;
    if (hot !== undefined) {
      if (!Number.isSafeInteger(hot.count) || hot.count <= 0)
        throw new CacheConfigError('hot.count must be a positive integer');
      const every = parseTimerDuration(hot.every, 'hot.every');
      if (!ranksHottest(cache)) this.#reads = new ReadCounts(hot.count);
      this.#hotTimer = setInterval(() => {
        this.refreshHottest(hot.count).catch((error: unknown) =>
          this.#emitter.emit('error', { error: toCacheError(error, 'refreshing the hottest keys failed') }),
        );
      }, every);
      this.#hotTimer.unref?.();
    }
  }

  get stats() {
    return this.#cache.stats;
  }

  // ---- reads that refresh ---------------------------------------------------------------------

  async get<T extends V = V>(key: string): Promise<T | undefined> {
    const entry = await this.#cache.getEntry<T>(key);
    if (entry === undefined) return this.#loadMissing(key) as Promise<T>;
    this.#read(key, entry);
    return entry.value;
  }

  async getOrThrow<T extends V = V>(key: string): Promise<T> {
    const value = await this.get<T>(key);
    return value === undefined ? this.#cache.getOrThrow<T>(key) : value;
  }

  async getEntry<T extends V = V>(key: string): Promise<CacheEntryInfo<T> | undefined> {
    const entry = await this.#cache.getEntry<T>(key);
    if (entry !== undefined) this.#read(key, entry);
    return entry;
  }

  async getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]> {
    return Promise.all(keys.map((key) => this.get<T>(key)));
  }

  getOrSet<T extends V = V>(
    key: string,
    factory: (ctx: FactoryContext<V>) => T | Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T> {
    return this.#cache.getOrSet(key, factory, options);
  }

  /** Reloads the hottest keys that are older than `refreshAfter` (what the `hot` timer runs). */
  async refreshHottest(count: number): Promise<void> {
    const keys = this.#reads
      ? this.#reads.top(count)
      : ranksHottest(this.#cache)
        ? this.#cache.hottest(count)
        : [];
    await Promise.all(
      keys.map(async (key) => {
        const entry = await this.#cache.getEntry(key).catch(() => undefined);
        if (entry && this.#clock.now() - entry.createdAt >= this.#refreshAfter)
          await this.#reload(key, entry.value);
      }),
    );
  }

  /** A hit: reload in the background when the entry is old enough, or XFetch says so. */
  #read(key: string, entry: CacheEntryInfo<V>): void {
    this.#reads?.add(key);
    const now = this.#clock.now();
    let due = now - entry.createdAt >= this.#refreshAfter;
    if (!due && this.#beta !== undefined && entry.expiresAt !== undefined) {
      const cost = this.#costs.get(key) ?? 0;
      // XFetch: refresh when now - cost * beta * ln(u) >= expiry (ln(u) < 0: a random head start).
      due = cost > 0 && now - cost * this.#beta * Math.log(this.#random()) >= entry.expiresAt;
    }
    if (due) void this.#reload(key, entry.value);
  }

  /** A miss loads through `getOrSet`: one load per key, concurrent readers wait for it. */
  #loadMissing(key: string): Promise<V> {
    return this.#cache.getOrSet(key, () => this.#timedLoad(key, undefined, true), this.#writeOptions());
  }

  async #timedLoad(key: string, currentValue: V | undefined, counted: boolean): Promise<V> {
    if (counted) this.counters.loads++;
    const started = this.#clock.now();
    const value = await this.#load(key, { key, currentValue });
    this.#costs.set(key, Math.max(1, this.#clock.now() - started));
    if (this.#costs.size > 100_000) this.#costs.delete(this.#costs.keys().next().value as string);
    return value;
  }

  /** One background reload per key; a write that lands first wins; a failure keeps the value. */
  #reload(key: string, currentValue: V): Promise<void> {
    const running = this.#reloads.get(key);
    if (running) return running;
    this.counters.refreshes++;
    const writes = this.#writes.get(key) ?? 0;
    const reload = (async () => {
      try {
        const value = await this.#timedLoad(key, currentValue, false);
        if ((this.#writes.get(key) ?? 0) !== writes) {
          this.counters.superseded++;
          return;
        }
        await this.#cache.set(key, value, this.#writeOptions());
      } catch (error) {
        this.counters.failures++;
        this.#emitter.emit('error', { error: toCacheError(error, 'refresh failed', key), key });
      } finally {
        this.#reloads.delete(key);
        this.#writes.delete(key);
      }
    })();
    this.#reloads.set(key, reload);
    return reload;
  }

  #writeOptions(): SetOptions {
    return this.#tags === undefined ? { ttl: this.#ttl } : { ttl: this.#ttl, tags: this.#tags };
  }

  #wrote(key: string): void {
    if (this.#reloads.has(key)) this.#writes.set(key, (this.#writes.get(key) ?? 0) + 1);
  }

  // ---- everything else is the cache's own -----------------------------------------------------

  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    this.#wrote(key);
    await this.#cache.set(key, value, options);
  }

  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    const added = await this.#cache.add(key, value, options);
    if (added) this.#wrote(key);
    return added;
  }

  async setMany(entries: Iterable<readonly [string, V]>, options?: SetOptions): Promise<void> {
    const list = [...entries];
    for (const [key] of list) this.#wrote(key);
    await this.#cache.setMany(list, options);
  }

  async delete(key: string): Promise<boolean> {
    this.#wrote(key);
    return this.#cache.delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    for (const key of keys) this.#wrote(key);
    return this.#cache.deleteMany(keys);
  }

  has(key: string): Promise<boolean> {
    return this.#cache.has(key);
  }

  keys(options?: PrefixOptions): AsyncIterable<string> {
    return this.#cache.keys(options);
  }

  async clear(options?: PrefixOptions): Promise<void> {
    for (const key of this.#reloads.keys()) this.#wrote(key);
    await this.#cache.clear(options);
  }

  async deleteMatching(pattern: string): Promise<number> {
    for (const key of this.#reloads.keys()) this.#wrote(key);
    return this.#cache.deleteMatching(pattern);
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    for (const key of this.#reloads.keys()) this.#wrote(key);
    await this.#cache.invalidateTags(tags);
  }

  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void {
    // Errors of reloads are this wrapper's; every other event is the cache's.
    return event === 'error' ? this.#emitter.on(event, listener) : this.#cache.on(event, listener);
  }

  /** Stops the hot-key timer, waits for the reloads in flight, and closes the cache. */
  async close(): Promise<void> {
    clearInterval(this.#hotTimer);
    this.#unsubscribe();
    await Promise.allSettled(this.#reloads.values());
    await this.#cache.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * A loading cache over `cache` that refreshes entries older than `refreshAfter` in the
 * background while serving their current value.
 *
 * @example
 * const users = refreshAhead(cache, { load: (id) => db.users.find(id), ttl: '5m', refreshAfter: '4m' });
 * const user = await users.get('42'); // loads on a miss; reloads in the background after 4 minutes
 * @throws CacheConfigError for a missing `load`, a `refreshAfter` not below `ttl`, or bad options.
 */
export function refreshAhead<V>(cache: Cache<V>, options: RefreshAheadOptions<V>): RefreshAheadCache<V> {
  return new RefreshAheadCache(cache, options);
}
