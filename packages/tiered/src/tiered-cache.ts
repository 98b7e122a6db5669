/**
 * `TieredCache`: an L1 (in-process) in front of an L2 (shared, the source of truth), kept
 * coherent across a fleet by a bus.
 *
 * - Reads: L1, then L2; an L2 hit is copied into L1 with its remaining TTL (capped by
 *   `l1MaxTtl`, and by `busDownL1Ttl` while the bus is down) and its tags, unless the key was
 *   invalidated after the read began ({@link PromoteGuard}).
 * - Writes and removals: L2 first, then L1, then one keys-only message on the bus.
 * - L2 failures go through a circuit breaker. While L2 fails (`onL2Error: 'degrade'`), reads are
 *   served from L1, `getOrSet` computes into L1, and writes go to L1 and to a recovery queue that
 *   is replayed to L2, and announced, once L2 answers again.
 * - Everything else of the contract (key checks, stale windows, locks, single-flight) is the
 *   tiers' own: a tiered cache passes each call on to them.
 */
import {
  type Cache,
  CacheConfigError,
  CacheConnectionError,
  type CacheEntryInfo,
  type CacheError,
  type CacheEventMap,
  type CacheEventName,
  CacheFullError,
  type CacheListener,
  CacheSerializationError,
  cacheTracing,
  CacheTimeoutError,
  type FactoryContext,
  type GetOrSetOptions,
  type PrefixOptions,
  type SetOptions,
} from '@cache/core';
import {
  type BusOperation,
  CacheEmitter,
  CacheStats,
  closedError,
  parseTtl,
  toCacheError,
  validateKey,
  validateKeys,
  validatePrefixOptions,
  validateSetOptions,
} from '@cache/core/backend';
import { BusLink } from './bus-link.js';
import type { ResolvedTieredOptions, TieredOptions } from './options.js';
import { resolveTieredOptions } from './options.js';
import { PromoteGuard } from './promote-guard.js';
import { type EvictedEntry, SpillBuffer } from './spill.js';
import { StaleCopies } from './stale-copies.js';
import { byKey, traceCall, traceMethods, traceOutcome, tracingReads } from './tracing.js';
import { isCallerError, L2Guard } from './l2-guard.js';

const GET_TRACING = cacheTracing.get;
const SET_TRACING = cacheTracing.set;

/** Marks an error thrown by a `getOrSet` factory, so that it is not taken for an L2 failure. */
const factoryErrors = new WeakSet<object>();

const FORWARDED = ['delete', 'expire', 'evict'] as const;

/** The tiered counters, added to `stats.snapshot()` with each tier's own snapshot. */
export interface TieredCounters {
  l1Hits: number;
  l2Hits: number;
  promotions: number;
  busPublished: number;
  busReceived: number;
  l1Flushes: number;
  breakerOpen: number;
  /** Spill mode: entries L1 evicted that went down to L2. */
  spilled: number;
}

export class TieredCache<V = unknown> implements Cache<V> {
  readonly name: string;
  readonly stats: CacheStats;
  /** The tiered counters (also in `stats.snapshot()`). */
  readonly counters: TieredCounters = {
    l1Hits: 0,
    l2Hits: 0,
    promotions: 0,
    busPublished: 0,
    busReceived: 0,
    l1Flushes: 0,
    breakerOpen: 0,
    spilled: 0,
  };
  readonly l1: Cache<V>;
  readonly l2: Cache<V>;
  readonly #options: ResolvedTieredOptions<V>;
  /** An L1 with a synchronous read (`MemoryCache`): an L1 hit then awaits nothing but this call. */
  readonly #l1Sync: { getSync(key: string): V | undefined } | undefined;
  /** An L1 with a synchronous write (`MemoryCache`): copies go in without a promise (unless traced). */
  readonly #l1SetSync: { setSync(key: string, value: V, options?: SetOptions): void } | undefined;
  readonly #emitter = new CacheEmitter();
  readonly #guard = new PromoteGuard();
  /** The breaker and the recovery queue in front of L2. */
  readonly #l2Guard: L2Guard<V>;
  readonly #link: BusLink | undefined;
  readonly #unsubscribe: (() => void)[] = [];
  #busDownTimer: NodeJS.Timeout | undefined;
  /** `onRemoteSet: 'stale'`: copies replaced by peers' writes, served only while L2 fails. */
  readonly #stale: StaleCopies<V> | undefined;
  /** Spill mode: the entries on their way down to L2. */
  readonly #spill: SpillBuffer<V> | undefined;
  /** `getOrSet` calls waiting for L2 to report their miss, by key (see {@link #countMissWithL2}). */
  readonly #l2Misses = new Map<string, { pending: number; reported: number }>();
  /** Whether L1's `error` events are forwarded (from the first `error` listener on). */
  #l1Errors = false;
  /** Keys whose L2 copy this cache is removing for its own bookkeeping: their `delete` events are not the user's. */
  readonly #internal = new Set<string>();
  /** Messages not awaited by a write (`busPublish: 'background'`, or sent behind a write) and not yet taken by the bus. */
  readonly #inFlight = new Set<Promise<void>>();
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
    const setSync = this.l1 as Partial<{ setSync(key: string, value: V, options?: SetOptions): void }>;
    this.#l1SetSync =
      typeof setSync.setSync === 'function'
        ? (setSync as { setSync(key: string, value: V, options?: SetOptions): void })
        : undefined;
    this.#l2Guard = new L2Guard(
      this.l2,
      {
        name: this.name,
        breaker: resolved.breaker,
        queueSize: resolved.recoveryQueueSize,
        clock: resolved.clock,
        throwOnError: resolved.throwOnL2Error,
      },
      {
        report: (error) => this.#report(error),
        // The L1 copy stands for the queued value meanwhile.
        queued: (op) => void this.#install(op.key, op.value, op.expiresAt, op.tags, false),
        publish: (operation) => this.#publish(operation),
        flushL1: () => this.#flushL1(),
      },
    );
    this.#stale = resolved.keepStale ? new StaleCopies(resolved.recoveryQueueSize) : undefined;
    this.stats = new CacheStats(() => ({
      ...this.counters,
      busPublished: this.#link?.published ?? 0,
      busReceived: this.#link?.received ?? 0,
      breakerOpen: this.#l2Guard.breaker.opened,
      breakerState: this.#l2Guard.breaker.state,
      recoveryQueued: this.#l2Guard.queued,
      recoveryReplayed: this.#l2Guard.replayed,
      recoveryPending: this.#l2Guard.pending,
      spilled: this.#spill?.spilled ?? 0,
      l1: this.l1.stats.snapshot(),
      l2: this.l2.stats.snapshot(),
    }));
    for (const event of FORWARDED) {
      this.#unsubscribe.push(this.l2.on(event, (payload) => this.#forward(event, payload, true)));
    }
    // L2's errors always count here; L1's only while someone listens: a listener on a MemoryCache
    // makes every hit build its event (its own stats count them either way).
    this.#unsubscribe.push(this.l2.on('error', ({ error, key }) => this.#report(error, key)));
    this.#unsubscribe.push(this.l2.on('miss', ({ key }) => this.#onL2Miss(key)));
    if (resolved.spill) {
      const spill = new SpillBuffer(this.l2, resolved.clock, (error, key) =>
        this.#report(toCacheError(error, 'spilling an evicted entry to L2 failed', key), key),
      );
      this.#spill = spill;
      (this.l1 as unknown as { onEvict: unknown }).onEvict = (entry: EvictedEntry<V>) => spill.add(entry);
      // In spill mode an entry lives in one tier: L1's removals and expiries are the cache's too.
      for (const event of ['delete', 'expire'] as const) {
        this.#unsubscribe.push(this.l1.on(event, (payload) => this.#forward(event, payload)));
      }
    }
    if (resolved.bus) {
      this.#link = new BusLink(
        resolved.bus,
        {
          apply: (operation) => void this.#applyRemote(operation),
          lost: () => void this.#flushL1(),
          connection: (up) => this.#busConnection(up),
          error: (error) => this.#report(toCacheError(error, 'bus failure')),
        },
        this.l2 as Cache<unknown>,
      );
      if (!this.#link.up) this.#busConnection(false);
    }
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
    const entry = await this.#readL2(key);
    if (entry === undefined) return this.#miss(key);
    this.#hitL2(key);
    return entry.value as T;
  }

  async getOrThrow<T extends V = V>(key: string): Promise<T> {
    validateKey(key, this.#options.maxKeyBytes);
    this.#checkOpen();
    const local = this.#l1Sync ? this.#l1Sync.getSync(key) : await this.l1.get(key);
    if (local !== undefined) return this.#hitL1(key, local) as T;
    const entry = await this.#readL2(key);
    if (entry !== undefined) {
      this.#hitL2(key);
      return entry.value as T;
    }
    this.#miss(key);
    // The L2 tells a missing key from an expired one.
    return (await this.#l2Guard.call(() => this.l2.getOrThrow<T>(key))) as T;
  }

  async getEntry<T extends V = V>(key: string): Promise<CacheEntryInfo<T> | undefined> {
    validateKey(key, this.#options.maxKeyBytes);
    this.#checkOpen();
    // L2 holds the entry's own metadata (createdAt, tags, size); L1 answers when L2 cannot.
    // In spill mode an entry lives in one tier: L1 first.
    let entry: CacheEntryInfo<V> | undefined = this.#options.spill ? await this.l1.getEntry(key) : undefined;
    if (entry !== undefined) {
      this.#hitL1(key, entry);
      return entry as CacheEntryInfo<T>;
    }
    try {
      entry = await this.#readL2(key, true);
    } catch (error) {
      if (!(error instanceof CacheConnectionError)) throw error;
      entry = await this.l1.getEntry(key);
    }
    if (entry === undefined) return this.#miss(key);
    this.#hitL2(key);
    return entry as CacheEntryInfo<T>;
  }

  async has(key: string): Promise<boolean> {
    validateKey(key, this.#options.maxKeyBytes);
    this.#checkOpen();
    if (await this.l1.has(key)) return true;
    await this.#spill?.settle([key]);
    try {
      return await this.#l2Guard.call(() => this.l2.has(key));
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
      keys.map((key, i) => (values[i] === undefined ? this.#readL2(key) : undefined)),
    );
    // Events in the order of the keys.
    keys.forEach((key, i) => {
      if (values[i] !== undefined) this.#hitL1(key, values[i]);
      else if (fromL2[i] === undefined) this.#miss(key);
      else {
        this.#hitL2(key);
        values[i] = fromL2[i].value as T;
      }
    });
    return values;
  }

  async *keys(options?: PrefixOptions): AsyncIterable<string> {
    validatePrefixOptions(options, 'keys');
    this.#checkOpen();
    if (!this.#options.spill) {
      yield* this.l2.keys(options);
      return;
    }
    await this.#spill?.settle();
    // Spill mode: the keys of both tiers (an entry lives in one or both).
    const seen = new Set<string>();
    for await (const key of this.l1.keys(options)) {
      seen.add(key);
      yield key;
    }
    for await (const key of this.l2.keys(options)) if (!seen.has(key)) yield key;
  }

  /**
   * Reads `key` from L2 and copies a hit into L1 (unless it was invalidated meanwhile). An L2
   * failure is a miss when degrading (L2's own `error` event reports it), else it rejects; with
   * `strict`, a failure always rejects.
   */
  /** This instance writes, removes or invalidates `key`: reads in flight must not install it, stale copies go. */
  #touch(key: string): void {
    this.#guard.invalidate(key);
    this.#stale?.forget(key);
  }

  /** Anything may have changed (clear, a pattern, tags, a flush). */
  #touchAll(): void {
    this.#guard.invalidateAll();
    this.#stale?.clear();
  }

  async #readL2(key: string, strict = false): Promise<CacheEntryInfo<V> | undefined> {
    await this.#spill?.settle([key]);
    const token = this.#guard.begin(key);
    let entry: CacheEntryInfo<V> | undefined;
    try {
      entry = await this.#l2Guard.call(() => this.l2.getEntry(key));
    } catch (error) {
      this.#guard.end(key, token);
      if (strict || this.#options.throwOnL2Error || isCallerError(error)) throw error;
      // onRemoteSet: 'stale': the copy a peer's write replaced stands in while L2 is out.
      const stale = this.#stale?.get(key);
      return stale === undefined
        ? undefined
        : { key, value: stale, createdAt: 0, expiresAt: undefined, tags: [] };
    }
    if (this.#guard.end(key, token) && entry !== undefined) {
      const installing = this.#install(key, entry.value, entry.expiresAt, entry.tags, true);
      if (installing !== undefined) await installing;
      // Spill mode moves the entry back up: it lives in one tier at a time.
      if (this.#options.spill && (await this.l1.has(key))) await this.#dropLower([key]);
    }
    return entry;
  }

  // ---- writes -----------------------------------------------------------------------------------

  async set(key: string, value: V, options?: SetOptions): Promise<void> {
    validateKey(key, this.#options.maxKeyBytes);
    validateSetOptions(options, 'set');
    this.#checkOpen();
    const write = this.#writeOptions(options);
    this.#touch(key);
    if (this.#options.spill) {
      await this.#dropLower([key]);
      await this.#writeL1(key, value, write);
    } else await this.#writeOne(key, value, write);
    this.#set(key);
  }

  /**
   * {@link #writeThrough} for one key (the common `set`), without its arrays. When the bus
   * publishes on L2's connection, the message leaves right behind the L2 write (the server applies
   * the write first): one round trip for both. Should the write then fail, peers drop a copy that
   * was still good, which costs them a read.
   */
  async #writeOne(key: string, value: V, write: SetOptions): Promise<void> {
    const expiresAt = this.#expiresAt(write);
    const token = this.#guard.begin(key);
    let announced: Promise<void> | undefined;
    const call = (): Promise<void> => {
      const l2Set = () => this.l2.set(key, value, write);
      if (this.#link === undefined) return l2Set();
      const { written, sent } = this.#link.publishBehind(l2Set, { op: 'keys', keys: [key] });
      announced = sent;
      if (sent !== undefined) this.#track(sent);
      return written;
    };
    let stored: boolean;
    try {
      stored = await this.#l2Guard.write(call, { op: 'set', key, value, expiresAt, tags: write.tags });
    } catch (error) {
      this.#guard.end(key, token);
      throw error;
    }
    if (!stored) return;
    const current = this.#guard.end(key, token);
    // Reads of the key in flight may have read L2 before this write landed: none of them installs.
    this.#touch(key);
    if (current) {
      const installing = this.#install(key, value, expiresAt, write.tags, false);
      if (installing !== undefined) await installing;
    } else await this.#dropL1(key);
    if (announced === undefined) await this.#publish({ op: 'keys', keys: [key] });
    else if (!this.#options.backgroundPublish) await announced;
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
    for (const [key] of list) this.#touch(key);
    if (this.#options.spill) {
      // Key by key: a write may evict the old copy of a key written later in the batch.
      for (const [key, value] of list) {
        await this.#dropLower([key]);
        await this.#writeL1(key, value, write);
      }
      for (const key of new Set(list.map(([key]) => key))) this.#set(key);
      return;
    }
    // The last write of a key wins, as in L2.
    const pairs = [...new Map(list)];
    await this.#writeThrough(pairs, write, () => this.l2.setMany(list, write));
    for (const [key] of pairs) this.#set(key);
  }

  /**
   * Writes to L2, then copies into L1 only the keys that nothing wrote or invalidated while the
   * write was in flight (another instance's write may have landed after this one in L2: its
   * message then dropped the key, and this copy would be older than L2's), then announces the
   * keys. When L2 fails and the cache degrades, the writes are queued instead (and copied into L1).
   */
  async #writeThrough(
    pairs: readonly (readonly [string, V])[],
    write: SetOptions,
    call: () => Promise<unknown>,
  ): Promise<void> {
    const tokens = pairs.map(([key]) => this.#guard.begin(key));
    const end = () => pairs.map(([key], i) => this.#guard.end(key, tokens[i] as number));
    let stored: boolean;
    try {
      stored = await this.#l2Guard.write(
        call,
        pairs.map(([key, value]) => ({ op: 'set', key, value, ...this.#queued(write) })),
      );
    } catch (error) {
      end();
      throw error;
    }
    const current = end();
    if (!stored) return;
    // Reads of these keys in flight may have read L2 before this write landed: none of them installs.
    for (const [key] of pairs) this.#touch(key);
    const expiresAt = this.#expiresAt(write);
    await Promise.all(
      pairs.map(([key, value], i) =>
        current[i] ? this.#install(key, value, expiresAt, write.tags, false) : this.#dropL1(key),
      ),
    );
    await this.#publish({ op: 'keys', keys: pairs.map(([key]) => key) });
  }

  /** Removes an L1 copy that may be older than L2's value (an L1 failure is L1's own `error` event). */
  async #dropL1(key: string): Promise<void> {
    await this.l1.delete(key).catch(() => undefined);
  }

  async add(key: string, value: V, options?: SetOptions): Promise<boolean> {
    validateKey(key, this.#options.maxKeyBytes);
    validateSetOptions(options, 'add');
    this.#checkOpen();
    const write = this.#writeOptions(options);
    // Only L2 can tell who wins: an add is never degraded. In spill mode, one process owns both tiers.
    const token = this.#options.spill ? undefined : this.#guard.begin(key);
    let added: boolean;
    try {
      added = this.#options.spill
        ? await this.#addSpilled(key, value, write)
        : await this.#l2Guard.call(() => this.l2.add(key, value, write));
    } catch (error) {
      if (token !== undefined) this.#guard.end(key, token);
      throw error;
    }
    const current = token === undefined || this.#guard.end(key, token);
    if (!added) return false;
    // Reads of the old value in flight must not install it.
    this.#touch(key);
    if (current) await this.#install(key, value, this.#expiresAt(write), write.tags, false);
    else await this.#dropL1(key);
    await this.#publish({ op: 'keys', keys: [key] });
    this.#set(key);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    validateKey(key, this.#options.maxKeyBytes);
    this.#checkOpen();
    this.#touch(key);
    await this.#spill?.settle([key]);
    let existed = false;
    await this.#l2Guard.write(
      async () => {
        existed = await this.l2.delete(key);
      },
      { op: 'delete', key },
    );
    // Reads in flight may have read L2 before the delete landed: none of them installs.
    this.#touch(key);
    const local = await this.l1.delete(key);
    await this.#publish({ op: 'keys', keys: [key] });
    return existed || ((this.#options.spill || this.#l2Guard.breaker.state !== 'closed') && local);
  }

  async deleteMany(keys: readonly string[]): Promise<number> {
    validateKeys(keys, this.#options.maxKeyBytes);
    this.#checkOpen();
    if (keys.length === 0) return 0;
    for (const key of keys) this.#touch(key);
    await this.#spill?.settle(keys);
    let removed = 0;
    await this.#l2Guard.write(
      async () => {
        removed = await this.l2.deleteMany(keys);
      },
      keys.map((key) => ({ op: 'delete', key })),
    );
    for (const key of keys) this.#touch(key);
    const local = await this.l1.deleteMany(keys);
    await this.#publish({ op: 'keys', keys: [...new Set(keys)] });
    // Spill mode: each entry lives in one tier, so the counts add up.
    return this.#options.spill ? removed + local : removed;
  }

  async deleteMatching(pattern: string): Promise<number> {
    if (typeof pattern !== 'string') throw new CacheConfigError('deleteMatching takes a glob pattern string');
    this.#checkOpen();
    this.#touchAll();
    await this.#spill?.settle();
    let removed = 0;
    await this.#l2Guard.write(
      async () => {
        removed = await this.l2.deleteMatching(pattern);
      },
      { op: 'match', pattern },
    );
    this.#touchAll();
    const local = await this.l1.deleteMatching(pattern);
    await this.#publish({ op: 'match', pattern });
    return this.#options.spill ? removed + local : removed;
  }

  async clear(options?: PrefixOptions): Promise<void> {
    const prefix = validatePrefixOptions(options, 'clear');
    this.#checkOpen();
    this.#touchAll();
    await this.#spill?.settle();
    await this.#l2Guard.write(() => this.l2.clear(options), { op: 'clear', prefix });
    this.#touchAll();
    await this.l1.clear(options);
    await this.#publish(prefix === undefined ? { op: 'clear' } : { op: 'clear', prefix });
    if (this.#emitter.listening) this.#emitter.emit('clear', { prefix });
  }

  async invalidateTags(tags: readonly string[]): Promise<void> {
    validateSetOptions({ tags }, 'invalidateTags');
    this.#checkOpen();
    if (tags.length === 0) return;
    this.#touchAll();
    await this.#spill?.settle();
    await this.#l2Guard.write(() => this.l2.invalidateTags(tags), { op: 'tags', tags: [...tags] });
    this.#touchAll();
    await this.l1.invalidateTags(tags);
    await this.#publish({ op: 'tags', tags: [...tags] });
  }

  // ---- getOrSet ---------------------------------------------------------------------------------

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
    const found = await this.#readL2(key);
    if (found !== undefined) {
      this.#hitL2(key);
      return found.value as T;
    }
    const write = this.#writeOptions(options);
    const merged: GetOrSetOptions = { ...options, ...write };
    if (this.#options.spill) {
      this.#miss(key);
      // L1 is the primary tier: its getOrSet computes (single-flight, stale windows, timeouts).
      let ran = false;
      const value = await this.l1.getOrSet(
        key,
        async (ctx) => {
          const value = await factory(ctx);
          ran = true;
          return value;
        },
        this.#l1Options(merged),
      );
      if (ran) this.#set(key);
      return value;
    }
    let computed: { value: T } | undefined;
    const run = async (ctx: FactoryContext<V>): Promise<T> => {
      try {
        const value = await factory(ctx);
        computed = { value };
        return value;
      } catch (error) {
        if (error !== null && typeof error === 'object') factoryErrors.add(error);
        throw error;
      }
    };
    const token = this.#guard.begin(key);
    const counted = this.#countMissWithL2(key);
    let value: T;
    // A timeout is the caller's own limit when it set one (L2's command timeouts look the same).
    const own = (error: unknown) =>
      factoryErrors.has(error as object) ||
      (options?.timeout !== undefined && error instanceof CacheTimeoutError);
    try {
      value = await this.#l2Guard.call(() => this.l2.getOrSet(key, run, merged), own);
    } catch (error) {
      counted();
      this.#guard.end(key, token);
      if (own(error) || this.#options.throwOnL2Error || isCallerError(error)) throw error;
      // L2 failed: the value computed before the failure, or one computed into L1.
      const result = computed ?? { value: await this.l1.getOrSet(key, run, this.#l1Options(merged)) };
      if (computed) {
        // Queued for L2; the queue copies it into L1 too (L1's getOrSet already holds it).
        this.#l2Guard.enqueue([{ op: 'set', key, value: computed.value, ...this.#queued(write) }]);
      }
      return result.value;
    }
    counted();
    // Only what this call computed is copied (not a stale value L2 served while it refreshes).
    const installable = this.#guard.end(key, token);
    if (computed !== undefined && Object.is(computed.value, value)) {
      // Reads in flight may have read L2 before this value landed: none of them installs.
      this.#touch(key);
      if (installable) await this.#install(key, value, this.#expiresAt(write), write.tags, false);
      else await this.#dropL1(key);
      await this.#publish({ op: 'keys', keys: [key] });
      this.#set(key);
    }
    return value;
  }

  // ---- events, stats, close ---------------------------------------------------------------------

  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void {
    const off = this.#emitter.on(event, listener);
    if (event === 'error' && !this.#l1Errors) {
      this.#l1Errors = true;
      this.#unsubscribe.push(this.l1.on('error', ({ error, key }) => this.#report(error, key)));
    }
    return off;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#busDownTimer);
    await this.#l2Guard.close();
    await Promise.all(this.#inFlight);
    if (this.#options.spill) (this.l1 as unknown as { onEvict: unknown }).onEvict = undefined;
    await this.#spill?.settle().catch(() => undefined);
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#link?.close();
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

  #hitL1(key: string, value: unknown): unknown {
    if (tracingReads()) traceOutcome('l1');
    this.stats.hits++;
    this.counters.l1Hits++;
    if (this.#emitter.listening) this.#emitter.emit('hit', { key, tier: 'l1' });
    return value;
  }

  #hitL2(key: string): void {
    if (tracingReads()) traceOutcome('l2');
    this.stats.hits++;
    this.counters.l2Hits++;
    if (this.#emitter.listening) this.#emitter.emit('hit', { key, tier: 'l2' });
  }

  /**
   * Counts the miss of a `getOrSet` when L2's own `getOrSet` reports it (just before it joins or
   * starts its computation), so that callers see the miss once the call has joined; the returned
   * function counts it at the end of the call if L2 never did (L2 failed, or found the value).
   */
  #countMissWithL2(key: string): () => void {
    const waiting = this.#l2Misses.get(key);
    if (waiting) waiting.pending++;
    else this.#l2Misses.set(key, { pending: 1, reported: 0 });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const entry = this.#l2Misses.get(key);
      if (entry && entry.reported > 0) entry.reported--;
      else {
        if (entry) entry.pending--;
        this.#miss(key);
      }
      if (entry && entry.pending === 0 && entry.reported === 0) this.#l2Misses.delete(key);
    };
  }

  #onL2Miss(key: string): void {
    const entry = this.#l2Misses.get(key);
    if (!entry || entry.pending === 0) return;
    entry.pending--;
    entry.reported++;
    this.#miss(key);
  }

  #miss(key: string): undefined {
    if (tracingReads()) traceOutcome(undefined);
    this.stats.misses++;
    if (this.#emitter.listening) this.#emitter.emit('miss', { key });
    return undefined;
  }

  #set(key: string): void {
    this.stats.sets++;
    if (this.#emitter.listening) this.#emitter.emit('set', { key });
  }

  #forward(event: (typeof FORWARDED)[number], payload: { key: string }, fromL2 = false): void {
    if (fromL2 && event === 'delete' && this.#internal.has(payload.key)) return;
    if (event === 'delete') this.stats.deletes++;
    else if (event === 'expire') this.stats.expirations++;
    else this.stats.evicted((payload as CacheEventMap['evict']).reason);
    if (this.#emitter.listening) this.#emitter.emit(event, payload as never);
  }

  #report(error: CacheError, key?: string): void {
    this.stats.errors++;
    if (this.#emitter.listening) this.#emitter.emit('error', key === undefined ? { error } : { error, key });
  }

  // ---- tiers ------------------------------------------------------------------------------------

  /** The write options for the tiers: the TTL made explicit, so that both tiers agree on it. */
  #writeOptions(options: SetOptions | undefined): SetOptions {
    const write: SetOptions = {};
    const ttl = options?.ttl ?? this.#options.defaultTtl;
    if (ttl !== undefined) write.ttl = ttl;
    if (options?.tags !== undefined) write.tags = options.tags;
    return write;
  }

  #expiresAt(write: SetOptions): number | undefined {
    const ttl = parseTtl(write.ttl);
    return ttl === undefined ? undefined : this.#options.clock.now() + ttl;
  }

  #queued(write: SetOptions): { expiresAt: number | undefined; tags: readonly string[] | undefined } {
    return { expiresAt: this.#expiresAt(write), tags: write.tags };
  }

  /** The TTL of an L1 copy of an entry that expires at `expiresAt`: capped by l1MaxTtl and, while the bus is down, busDownL1Ttl. */
  #l1Ttl(expiresAt: number | undefined): number | undefined {
    let ttl = expiresAt === undefined ? Number.POSITIVE_INFINITY : expiresAt - this.#options.clock.now();
    if (this.#options.l1MaxTtl !== undefined) ttl = Math.min(ttl, this.#options.l1MaxTtl);
    if (this.#link && !this.#link.up) ttl = Math.min(ttl, this.#options.busDownL1Ttl);
    return ttl === Number.POSITIVE_INFINITY ? undefined : ttl;
  }

  #l1Options(options: GetOrSetOptions): GetOrSetOptions {
    const ttl = this.#l1Ttl(this.#expiresAt(options));
    const { ttl: _ttl, ...rest } = options;
    return ttl === undefined ? rest : { ...rest, ttl };
  }

  /**
   * Copies a value into L1 (an L1 failure is reported by L1's own `error` event, never thrown).
   * Returns `undefined` when it is done (a synchronous L1 took it), else the promise of the copy.
   */
  #install(
    key: string,
    value: V,
    expiresAt: number | undefined,
    tags: readonly string[] | undefined,
    promotion: boolean,
  ): Promise<void> | undefined {
    const ttl = this.#l1Ttl(expiresAt);
    if (ttl !== undefined && ttl <= 0) return undefined;
    const options: SetOptions = {};
    if (ttl !== undefined) options.ttl = ttl;
    if (tags !== undefined && tags.length > 0) options.tags = tags;
    const sync = this.#l1SetSync;
    // Traced, the copy goes through L1's own `set`, so that L1's span is there.
    if (sync === undefined || SET_TRACING.hasSubscribers)
      return this.#installAsync(key, value, options, promotion);
    try {
      sync.setSync(key, value, options);
    } catch {
      // L1 refused the copy (too large for it, for example): reads go to L2.
      return this.#dropL1(key);
    }
    if (promotion) this.counters.promotions++;
    return undefined;
  }

  async #installAsync(key: string, value: V, options: SetOptions, promotion: boolean): Promise<void> {
    try {
      await this.l1.set(key, value, options);
      if (promotion) this.counters.promotions++;
    } catch {
      // L1 refused the copy (too large for it, for example): reads go to L2.
      await this.l1.delete(key).catch(() => undefined);
    }
  }

  // ---- spill mode -------------------------------------------------------------------------------

  /** Writes to L1, the primary tier in spill mode; an entry L1 refuses (too large) goes to L2. */
  async #writeL1(key: string, value: V, write: SetOptions): Promise<void> {
    try {
      await this.l1.set(key, value, this.#l1Options(write));
    } catch (error) {
      if (!(error instanceof CacheFullError)) throw error;
      await this.l2.set(key, value, write);
    }
  }

  /** `add` in spill mode: absent from both tiers (a spill in flight included), then added to L1. */
  async #addSpilled(key: string, value: V, write: SetOptions): Promise<boolean> {
    await this.#spill?.settle([key]);
    return !(await this.l2.has(key)) && (await this.l1.add(key, value, this.#l1Options(write)));
  }

  /** Removes L2's copies of keys about to be written to L1, once their spills in flight are done. */
  async #dropLower(keys: readonly string[]): Promise<void> {
    await this.#spill?.settle(keys);
    for (const key of keys) this.#internal.add(key);
    try {
      await this.l2.deleteMany(keys);
    } finally {
      for (const key of keys) this.#internal.delete(key);
    }
  }

  // ---- bus --------------------------------------------------------------------------------------

  /**
   * Sends a message (a failure is reported, and its sequence number is lost on purpose, so
   * receivers see the gap). With `busPublish: 'await'` the write waits until the bus took it, so
   * that the staleness of other instances is bounded from the moment the write resolves; in the
   * background, the message is sent now (in order) and `close()` waits for it.
   */
  async #publish(operation: BusOperation): Promise<void> {
    const sent = this.#link?.publish(operation);
    if (sent === undefined) return;
    if (!this.#options.backgroundPublish) return sent;
    this.#track(sent);
  }

  /** Keeps a message in flight until the bus took it, so that `close()` waits for it. */
  #track(sent: Promise<void>): void {
    this.#inFlight.add(sent);
    void sent.then(() => this.#inFlight.delete(sent));
  }

  async #applyRemote(operation: BusOperation): Promise<void> {
    try {
      switch (operation.op) {
        case 'keys':
          for (const key of operation.keys) this.#guard.invalidate(key);
          if (this.#stale) {
            const values = await this.l1.getMany(operation.keys);
            operation.keys.forEach((key, i) => {
              if (values[i] !== undefined) this.#stale?.keep(key, values[i] as V);
            });
          }
          await this.l1.deleteMany(operation.keys);
          return;
        case 'clear':
          this.#touchAll();
          await this.l1.clear(operation.prefix === undefined ? undefined : { prefix: operation.prefix });
          return;
        case 'match':
          this.#touchAll();
          await this.l1.deleteMatching(operation.pattern);
          return;
        case 'tags':
          this.#touchAll();
          await this.l1.invalidateTags(operation.tags);
          return;
        case 'flush':
          await this.#flushL1();
          return;
      }
    } catch (error) {
      this.#report(toCacheError(error, 'applying a bus message to L1 failed'));
    }
  }

  /** Empties L1 (messages were lost, or L2 lost writes). */
  async #flushL1(): Promise<void> {
    this.#touchAll();
    this.counters.l1Flushes++;
    try {
      await this.l1.clear();
    } catch (error) {
      this.#report(toCacheError(error, 'emptying L1 failed'));
    }
  }

  #busConnection(up: boolean): void {
    clearTimeout(this.#busDownTimer);
    this.#busDownTimer = undefined;
    if (up || this.#closed) return;
    // Copies made before the outage live at most busDownL1Ttl from now; new ones are capped.
    this.#busDownTimer = setTimeout(() => {
      this.#busDownTimer = undefined;
      if (this.#link && !this.#link.up) void this.#flushL1();
    }, this.#options.busDownL1Ttl);
    this.#busDownTimer.unref?.();
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
