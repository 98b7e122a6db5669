/**
 * `TieredCache`: an L1 (in-process) in front of an L2 (shared, the source of truth), kept
 * coherent across a fleet by a bus. This file holds the contract's calls (their argument checks
 * and the L1 hit path); the paths behind them live with the concept that owns each:
 *
 * - Reads past L1, and `getOrSet`'s computation (read-through.ts): an L2 hit is copied into L1
 *   with its remaining TTL (capped by `l1MaxTtl`, and by `busDownL1Ttl` while the bus is down;
 *   l1-copies.ts) and its tags, unless the key was invalidated after the read began.
 * - Writes and removals (write-through.ts): L2 first, then L1, then one keys-only message on the
 *   bus (bus-sync.ts applies peers' messages to L1).
 * - L2 failures go through a circuit breaker. While L2 fails (`onL2Error: 'degrade'`), reads are
 *   served from L1, `getOrSet` computes into L1, and writes go to L1 and to a recovery queue that
 *   is replayed to L2, and announced, once L2 answers again (l2-guard.ts).
 * - Spill mode (spill.ts), stats and events (tiered-events.ts); tiered-parts.ts wires them up.
 * - Everything else of the contract (key checks, stale windows, locks, single-flight) is the
 *   tiers' own: a tiered cache passes each call on to them.
 *
 * It is over 400 lines because it holds one method per call of the contract, each a few lines of
 * checks and the L1 hit path (the hot path, kept inline) before it hands over to the modules above.
 */
import {
  type Cache,
  CacheConfigError,
  CacheConnectionError,
  type CacheEntryInfo,
  type CacheEventName,
  type CacheListener,
  CacheSerializationError,
  cacheTracing,
  type FactoryContext,
  type GetOrSetOptions,
  type PrefixOptions,
  type SetOptions,
} from '@cache/core';
import {
  type CacheEmitter,
  type CacheStats,
  closedError,
  validateKey,
  validateKeys,
  validatePrefixOptions,
  validateSetOptions,
} from '@cache/core/backend';
import { isCallerError } from './l2-guard.js';
import type { ResolvedTieredOptions, TieredOptions } from './options.js';
import { resolveTieredOptions } from './options.js';
import { computeThrough, readL2 } from './read-through.js';
import type { TieredCounters, TieredEvents } from './tiered-events.js';
import { buildParts, type TieredParts } from './tiered-parts.js';
import { byKey, traceCall, traceMethods, traceOutcome, tracingReads } from './tracing.js';
import { addThrough, remove, writeMany, writeOne } from './write-through.js';

const GET_TRACING = cacheTracing.get;

/**
 * A `Cache` made of an L1 in front of an L2, kept coherent across instances by an optional bus
 * (see {@link tiered}, which builds one).
 *
 * @throws CacheConfigError from the constructor for missing tiers or bad options.
 */
export class TieredCache<V = unknown> implements Cache<V> {
  readonly name: string;
  /** The cache's stats; `snapshot()` adds the tiered counters and each tier's own snapshot. */
  readonly stats: CacheStats;
  /** The tiered counters (also in `stats.snapshot()`). */
  readonly counters: TieredCounters;
  /** The in-process tier. */
  readonly l1: Cache<V>;
  /** The shared tier, the source of truth. */
  readonly l2: Cache<V>;
  readonly #options: ResolvedTieredOptions<V>;
  /** An L1 with a synchronous read (`MemoryCache`): an L1 hit then awaits nothing but this call. */
  readonly #l1Sync: { getSync(key: string): V | undefined } | undefined;
  readonly #events: TieredEvents;
  /** The events' emitter, in a field of its own for the L1 hit path. */
  readonly #emitter: CacheEmitter;
  readonly #parts: TieredParts<V>;
  #closed = false;

  constructor(options: TieredOptions<V>) {
    const resolved = resolveTieredOptions(options);
    this.#options = resolved;
    this.name = resolved.name;
    this.l1 = resolved.l1;
    this.l2 = resolved.l2;
    const sync = this.l1 as Partial<{ getSync(key: string): V | undefined }>;
    this.#l1Sync =
      typeof sync.getSync === 'function' ? (sync as { getSync(key: string): V | undefined }) : undefined;
    this.#parts = buildParts(resolved);
    this.#events = this.#parts.events;
    this.#emitter = this.#events.emitter;
    this.stats = this.#events.stats;
    this.counters = this.#events.counters;
  }

  // ---- reads ------------------------------------------------------------------------------------

  get<T extends V = V>(key: string): Promise<T | undefined> {
    // Traced here rather than by traceMethods: the L1 hit is the hot path. The traced call is in a
    // method of its own, so that this one makes no closure (and no context for it) per call.
    return GET_TRACING.hasSubscribers ? this.#tracedGet<T>(key) : this.#read<T>(key);
  }

  #tracedGet<T extends V>(key: string): Promise<T | undefined> {
    return traceCall(this.name, 'get', { key }, () => this.#read<T>(key));
  }

  #read<T extends V>(key: string): Promise<T | undefined> {
    // The L1 hit of a MemoryCache: one synchronous read, no async frame.
    const sync = this.#l1Sync;
    if (sync === undefined || this.#closed) return this.#get(key, false);
    let local: V | undefined;
    try {
      local = sync.getSync(key);
    } catch (error) {
      return Promise.reject(error);
    }
    return local === undefined ? this.#get(key, true) : Promise.resolve(this.#hitL1(key, local) as T);
  }

  async #get<T extends V>(key: string, l1Missed: boolean): Promise<T | undefined> {
    validateKey(key, this.#options.maxKeyBytes);
    this.#checkOpen();
    if (!l1Missed) {
      const local = await this.l1.get(key);
      if (local !== undefined) return this.#hitL1(key, local) as T;
    }
    return this.#counted(key, await readL2(this.#parts, key)) as T | undefined;
  }

  #hitL1(key: string, value: unknown): unknown {
    if (tracingReads()) traceOutcome('l1');
    this.stats.hits++;
    this.counters.l1Hits++;
    if (this.#emitter.listening) this.#emitter.emit('hit', { key, tier: 'l1' });
    return value;
  }

  /** Counts what L2 answered after an L1 miss (an L2 hit or a miss) and returns its value. */
  #counted(key: string, entry: CacheEntryInfo<V> | undefined): V | undefined {
    if (entry === undefined) return this.#events.miss(key);
    this.#events.hitL2(key);
    return entry.value;
  }

  async getOrThrow<T extends V = V>(key: string): Promise<T> {
    validateKey(key, this.#options.maxKeyBytes);
    this.#checkOpen();
    const local = this.#l1Sync ? this.#l1Sync.getSync(key) : await this.l1.get(key);
    if (local !== undefined) return this.#hitL1(key, local) as T;
    const value = this.#counted(key, await readL2(this.#parts, key));
    if (value !== undefined) return value as T;
    // The L2 tells a missing key from an expired one.
    return (await this.#parts.l2Guard.call(() => this.l2.getOrThrow<T>(key))) as T;
  }

  async getEntry<T extends V = V>(key: string): Promise<CacheEntryInfo<T> | undefined> {
    validateKey(key, this.#options.maxKeyBytes);
    this.#checkOpen();
    // L2 holds the entry's own metadata (createdAt, tags, size); L1 answers when L2 cannot.
    // In spill mode an entry lives in one tier: L1 first.
    let entry: CacheEntryInfo<V> | undefined = this.#parts.spill ? await this.l1.getEntry(key) : undefined;
    if (entry !== undefined) {
      this.#hitL1(key, entry);
      return entry as CacheEntryInfo<T>;
    }
    try {
      entry = await readL2(this.#parts, key, true);
    } catch (error) {
      if (!(error instanceof CacheConnectionError)) throw error;
      entry = await this.l1.getEntry(key);
    }
    if (entry === undefined) return this.#events.miss(key);
    this.#events.hitL2(key);
    return entry as CacheEntryInfo<T>;
  }

  async has(key: string): Promise<boolean> {
    validateKey(key, this.#options.maxKeyBytes);
    this.#checkOpen();
    if (await this.l1.has(key)) return true;
    await this.#parts.spill?.settle([key]);
    try {
      return await this.#parts.l2Guard.call(() => this.l2.has(key));
    } catch (error) {
      if (this.#options.throwOnL2Error || isCallerError(error)) throw error;
      return false;
    }
  }

  async getMany<T extends V = V>(keys: readonly string[]): Promise<(T | undefined)[]> {
    validateKeys(keys, this.#options.maxKeyBytes);
    this.#checkOpen();
    const values = (await this.l1.getMany(keys)) as (T | undefined)[];
    const fromL2 = await Promise.all(
      keys.map((key, i) => (values[i] === undefined ? readL2(this.#parts, key) : undefined)),
    );
    // Events in the order of the keys.
    keys.forEach((key, i) => {
      if (values[i] !== undefined) this.#hitL1(key, values[i]);
      else values[i] = this.#counted(key, fromL2[i]) as T | undefined;
    });
    return values;
  }

  async *keys(options?: PrefixOptions): AsyncIterable<string> {
    validatePrefixOptions(options, 'keys');
    this.#checkOpen();
    const spill = this.#parts.spill;
    yield* spill ? spill.keys(options) : this.l2.keys(options);
  }

  // ---- writes -----------------------------------------------------------------------------------

  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    validateKey(key, this.#options.maxKeyBytes);
    validateSetOptions(options, 'set');
    this.#checkOpen();
    const write = this.#writeOptions(options);
    const { copies, spill } = this.#parts;
    copies.touch(key);
    if (spill) await spill.set(key, value, write);
    else await writeOne(this.#parts, key, value, write);
    this.#events.set(key);
  }

  async setMany(entries: Iterable<readonly [string, V]>, options?: SetOptions): Promise<void> {
    if (entries === null || typeof (entries as Iterable<unknown>)?.[Symbol.iterator] !== 'function')
      throw new CacheConfigError('setMany takes an iterable of [key, value] pairs');
    const list = [...entries];
    for (const pair of list) {
      if (!Array.isArray(pair) || pair.length < 2)
        throw new CacheConfigError('setMany takes [key, value] pairs');
      validateKey(pair[0], this.#options.maxKeyBytes);
      if (pair[1] === undefined)
        throw new CacheSerializationError('undefined cannot be cached; use null or delete()', {
          key: pair[0],
        });
    }
    validateSetOptions(options, 'setMany');
    this.#checkOpen();
    if (list.length === 0) return;
    const write = this.#writeOptions(options);
    const { copies, spill } = this.#parts;
    for (const [key] of list) copies.touch(key);
    if (spill) {
      // Key by key: a write may evict the old copy of a key written later in the batch.
      for (const [key, value] of list) await spill.set(key, value, write);
      for (const key of new Set(list.map(([key]) => key))) this.#events.set(key);
      return;
    }
    // The last write of a key wins, as in L2.
    const pairs = [...new Map(list)];
    await writeMany(this.#parts, pairs, write, () => this.l2.setMany(list, write));
    for (const [key] of pairs) this.#events.set(key);
  }

  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    validateKey(key, this.#options.maxKeyBytes);
    validateSetOptions(options, 'add');
    this.#checkOpen();
    const added = await addThrough(this.#parts, key, value, this.#writeOptions(options));
    if (added) this.#events.set(key);
    return added;
  }

  async delete(key: string): Promise<boolean> {
    validateKey(key, this.#options.maxKeyBytes);
    this.#checkOpen();
    const { removed, local } = await remove(this.#parts, {
      keys: [key],
      queued: { op: 'delete', key },
      l2: () => this.l2.delete(key),
      l1: () => this.l1.delete(key),
      message: { op: 'keys', keys: [key] },
    });
    const { spill, l2Guard } = this.#parts;
    return removed === true || ((spill !== undefined || l2Guard.breaker.state !== 'closed') && local);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    validateKeys(keys, this.#options.maxKeyBytes);
    this.#checkOpen();
    if (keys.length === 0) return 0;
    const { removed = 0, local } = await remove(this.#parts, {
      keys,
      queued: keys.map((key) => ({ op: 'delete', key })),
      l2: () => this.l2.deleteMany(keys),
      l1: () => this.l1.deleteMany(keys),
      message: { op: 'keys', keys: [...new Set(keys)] },
    });
    // Spill mode: each entry lives in one tier, so the counts add up.
    return this.#parts.spill ? removed + local : removed;
  }

  async deleteMatching(pattern: string): Promise<number> {
    if (typeof pattern !== 'string') throw new CacheConfigError('deleteMatching takes a glob pattern string');
    this.#checkOpen();
    const { removed = 0, local } = await remove(this.#parts, {
      keys: undefined,
      queued: { op: 'match', pattern },
      l2: () => this.l2.deleteMatching(pattern),
      l1: () => this.l1.deleteMatching(pattern),
      message: { op: 'match', pattern },
    });
    return this.#parts.spill ? removed + local : removed;
  }

  async clear(options?: PrefixOptions): Promise<void> {
    const prefix = validatePrefixOptions(options, 'clear');
    this.#checkOpen();
    await remove(this.#parts, {
      keys: undefined,
      queued: { op: 'clear', prefix },
      l2: () => this.l2.clear(options),
      l1: () => this.l1.clear(options),
      message: prefix === undefined ? { op: 'clear' } : { op: 'clear', prefix },
    });
    this.#events.cleared(prefix);
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    validateSetOptions({ tags }, 'invalidateTags');
    this.#checkOpen();
    if (tags.length === 0) return;
    await remove(this.#parts, {
      keys: undefined,
      queued: { op: 'tags', tags: [...tags] },
      l2: () => this.l2.invalidateTags(tags),
      l1: () => this.l1.invalidateTags(tags),
      message: { op: 'tags', tags: [...tags] },
    });
  }

  async getOrSet<T extends V = V>(
    key: string,
    factory: (ctx: FactoryContext<V>) => T | Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T> {
    validateKey(key, this.#options.maxKeyBytes);
    if (typeof factory !== 'function') throw new CacheConfigError('getOrSet takes a factory function');
    validateSetOptions(options, 'getOrSet');
    this.#checkOpen();
    const local = this.#l1Sync ? this.#l1Sync.getSync(key) : await this.l1.get(key);
    if (local !== undefined) return this.#hitL1(key, local) as T;
    const found = await readL2(this.#parts, key);
    if (found !== undefined) {
      this.#events.hitL2(key);
      return found.value as T;
    }
    const write = this.#writeOptions(options);
    const spill = this.#parts.spill;
    if (spill) return spill.getOrSet(key, factory, { ...options, ...write });
    return computeThrough(this.#parts, key, factory, options, write);
  }

  // ---- events, close ----------------------------------------------------------------------------

  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void {
    return this.#events.on(event, listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const { bus, l2Guard, spill } = this.#parts;
    bus.stop();
    await l2Guard.close();
    await bus.sent();
    await spill?.close();
    this.#events.close();
    bus.close();
    if (!this.#options.closeTiers) return;
    const results = await Promise.allSettled([
      this.l1.close(),
      this.l2.close(),
      ...(this.#options.bus ? [this.#options.bus.close()] : []),
    ]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError(this.name);
  }

  /** The write options for the tiers: the TTL made explicit, so that both tiers agree on it. */
  #writeOptions(options: SetOptions | undefined): SetOptions {
    const write: SetOptions = {};
    const ttl = options?.ttl ?? this.#options.defaultTtl;
    if (ttl !== undefined) write.ttl = ttl;
    if (options?.tags !== undefined) write.tags = options.tags;
    return write;
  }
}

// Every operation is published on core's diagnostics channels (nothing is built without a subscriber).
const keysOf = (keys: readonly string[]) => ({ keys });
traceMethods(TieredCache.prototype, {
  getOrThrow: byKey,
  getEntry: byKey,
  has: byKey,
  getMany: keysOf,
  set: byKey,
  setMany: undefined,
  add: byKey,
  delete: byKey,
  deleteMany: keysOf,
  deleteMatching: (pattern: string) => ({ pattern }),
  clear: undefined,
  invalidateTags: (tags: readonly string[]) => ({ tags }),
  getOrSet: byKey,
});

/**
 * An L1 in front of an L2, kept coherent across instances by an optional bus.
 *
 * @example
 * const cache = tiered({
 *   l1: new MemoryCache({ maxEntries: 10_000 }),
 *   l2: new RedisCache({ url, prefix: 'app:' }),
 *   bus: new RedisBus({ url, channel: 'app' }),
 *   l1MaxTtl: '1m',
 * });
 * @throws CacheConfigError for missing tiers or bad options.
 */
export function tiered<V = unknown>(options: TieredOptions<V>): TieredCache<V> {
  return new TieredCache(options);
}
