/**
 * `MemoryCache`: the in-process backend.
 *
 * Storage: a `Map<string, number>` from key to slot; per slot, the key and the value (by
 * reference, or the serializer's bytes) in two arrays, and metadata in typed arrays: flags (one
 * byte) and createdAt. All of them double in length as the cache grows (capped at
 * `maxEntries + 1`), each allocated at its full length as lru-cache does. A hit only *loads* the
 * flags, and not even them while no entry has a TTL. Optional features live beside them and
 * cost nothing when unused: hits and lastAccessAt side by side (with `trackReads`; a hit writes
 * both in one cache line), `expiresAt` (a typed array allocated at the first entry with a TTL;
 * `flags & TTL` marks the slots that use it, so entries without TTL never read it), sizes (only
 * with a byte limit, `sizeOf` or a serializer), tags and stale deadlines (sparse maps by slot).
 * A tag index (tag -> slots, its own map, apart from user keys) makes `invalidateTags` remove
 * entries at once. createdAt / lastAccessAt are 32-bit ms offsets from a base (moved to a float64
 * array of absolute times if a time does not fit). Freed slots go on a stack for reuse. The
 * eviction policy keeps its own bookkeeping by slot (see `policies/policy.ts`).
 *
 * The contract (checks, counts, events, the async methods) is core's `SyncCache`; this class
 * implements its synchronous primitives over the slots; snapshots are `internal/persistence.ts`.
 * It is over 400 lines because the slot store, the eviction and the primitives on the hot paths
 * share private state in one class, so that V8 inlines them, as lru-cache does.
 */
import {
  type CacheEntryInfo,
  CacheConfigError,
  CacheFullError,
  CacheSerializationError,
  type Serializer,
} from '@cache/core';
import {
  serializeValue,
  type StoredEntry,
  SyncCache,
  toCacheError,
  undefinedValueError,
  validateKey,
} from '@cache/core/backend';
import { entrySize, jsonSize, preallocated, resized } from './internal/values.js';
import { type HeldEntry, Persistence, type SnapshotHost } from './internal/persistence.js';
import { type EvictedEntry, type MemoryCacheOptions, resolveOptions } from './options.js';
import { createPolicy } from './policies/index.js';
import type { EvictionPolicy } from './policies/policy.js';

/** An entry as `exportEntries()` yields it and `importEntries()` takes it. Times are epoch ms. */
export interface ExportedEntry<V = unknown> {
  key: string;
  value: V;
  createdAt: number;
  /** `undefined` = never expires. */
  expiresAt: number | undefined;
  tags: readonly string[];
}

const TTL = 1;
// Which time a slot's `#stamp` / `#time` is about (also its index in a `#wide` pair).
const CREATED = 0;
const ACCESS = 1;
const TAGS = 2;
const STALE = 4;
const INITIAL_CAPACITY = 16;
const NO_TAGS: readonly string[] = Object.freeze([]);
const MISSING = Symbol('missing');

/**
 * An in-process cache with entry and byte limits, eviction policies, lazy expiry plus a
 * periodic sweep, and optional snapshots to disk.
 *
 * Values are stored **by reference** unless a `serializer` is given: `get` returns the object
 * that was `set`, so mutating it mutates the cached value. The synchronous methods
 * (`getSync`, `setSync`, `addSync`, `hasSync`, `deleteSync`, `peek`) are the fast path; the
 * async `Cache` methods run the same code and only wrap the result in a promise.
 *
 * @example
 * const cache = new MemoryCache<string>({ maxEntries: 10_000, defaultTtl: '5m' });
 * await cache.set('user:1', 'Ada');
 * cache.getSync('user:1'); // 'Ada'
 */
export class MemoryCache<V = unknown> extends SyncCache<V> {
  readonly #map = new Map<string, number>();
  #keys: (string | undefined)[] = [];
  #values: unknown[] = [];
  /** Per slot: `TTL | TAGS | STALE`. */
  #flags = new Uint8Array(0);
  /**
   * With `trackReads`, per slot `[hits, lastAccessAt]` at `slot * 2`; times are ms offsets from
   * `#timeBase`, `0` = never.
   */
  #reads: Uint32Array | undefined;
  /** Per slot: createdAt as an offset from `#timeBase`. */
  #created = new Uint32Array(0);
  /**
   * Set once a time did not fit an offset: from then on `[createdAt, lastAccessAt]` per slot
   * (absolute ms, `0` = never) live here and `#timeBase` is NaN, so no time fits an offset again.
   */
  #wide: Float64Array | undefined;
  #timeBase: number;
  #expires: Float64Array | undefined;
  #sizes: Float64Array | undefined;
  readonly #tagsOf = new Map<number, readonly string[]>();
  readonly #staleOf = new Map<number, number>();
  readonly #slotsByTag = new Map<string, Set<number>>();
  readonly #free: number[] = [];
  #top = 0;
  #capacity = 0;
  #bytes = 0;
  #ttlCount = 0;
  #dirty = false;
  readonly #policy: EvictionPolicy;
  readonly #refuses: boolean;
  /** The policy picks its victims before a write, among the other entries (see `#store`). */
  readonly #evictsFirst: boolean;
  readonly #maxKey: number;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxEntrySize: number;
  readonly #sizing: boolean;
  readonly #sizeOf: ((value: V, key: string) => number) | undefined;
  readonly #serializer: Serializer | undefined;
  /**
   * Called with each live entry evicted for room (see `MemoryCacheOptions.onEvict`); a
   * composition such as `@cache/tiered`'s spill mode may set it after construction.
   */
  onEvict: ((entry: EvictedEntry<V>) => void) | undefined;
  readonly #persistence: Persistence<V> | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  /** With the system clock: the time read last, reused until a 1 ms timer clears it (0 = none). */
  #cachedNow = -0; // -0 (=== 0) so that the field holds doubles from the start: no deopt at the first time
  /** `#cachedNow` as an offset from `#timeBase` when it fits one, else 0. */
  #cachedAt = -0;
  readonly #coarse: boolean;
  readonly #forgetNow = (): void => {
    this.#cachedNow = 0;
    this.#cachedAt = 0;
  };

  /**
   * @throws CacheConfigError for a bad option. A missing, corrupt or foreign snapshot never
   * throws: the cache starts empty (for a bad file, with an `error` event on the next microtask).
   */
  constructor(options: MemoryCacheOptions<V> = {}) {
    super(options, 'memory');
    // Offsets of 1 .. 2^32-1 ms around the start: about 24 days either way. 0 means "never".
    this.#timeBase = Math.floor(this.clock.now()) - 2 ** 31;
    const resolved = resolveOptions(options);
    this.#maxKey = this.maxKeyBytes;
    this.#maxEntries = resolved.maxEntries;
    this.#maxBytes = resolved.maxBytes;
    this.#maxEntrySize = resolved.maxEntrySize;
    this.#sizeOf = resolved.sizeOf;
    this.#serializer = resolved.serializer;
    this.onEvict = resolved.onEvict;
    if (resolved.trackReads) this.#reads = new Uint32Array(0);
    this.#sizing =
      resolved.maxBytes !== Number.POSITIVE_INFINITY ||
      resolved.maxEntrySize !== Number.POSITIVE_INFINITY ||
      resolved.sizeOf !== undefined ||
      resolved.serializer !== undefined;
    this.#refuses = resolved.policy === 'none';
    this.#policy = createPolicy(resolved.policy, resolved.maxEntries);
    this.#evictsFirst = this.#policy.evictsFirst === true;
    this.#coarse = options.clock === undefined;
    if (resolved.sweepInterval !== undefined) {
      this.#sweepTimer = setInterval(() => this.#timedSweep(), resolved.sweepInterval);
      this.#sweepTimer.unref();
    }
    if (resolved.persist) this.#persistence = new Persistence(this.#snapshotHost(), resolved.persist);
  }

  // ---- beyond the contract ------------------------------------------------------------------

  /**
   * The `n` live keys read most often recently, hottest first: by the W-TinyLFU frequency sketch
   * (decayed: it halves every ten times the capacity in reads), its ties broken by the reads
   * since each entry was written; with other policies by the reads `trackReads` counts. For
   * refreshing the hot set before it expires (`@cache/warmers`' `refreshAhead`). Walks every
   * entry: not for a hot path.
   * @throws CacheConfigError for a bad count, or, whatever the count, when the cache has nothing
   * to rank by (a policy other than `'tinylfu'` without `trackReads`).
   */
  hottest(n: number): string[] {
    if (!Number.isSafeInteger(n) || n < 0)
      throw new CacheConfigError(`hottest takes a count, got ${String(n)}`);
    const policy = this.#policy;
    const reads = this.#reads;
    if (policy.rank === undefined && reads === undefined)
      throw new CacheConfigError(
        `hottest() ranks by the 'tinylfu' policy's counts or by counted reads: policy '${policy.name}' needs trackReads: true`,
      );
    if (n === 0) return [];
    const scored: [string, number][] = [];
    for (const [key, slot] of this.#map) {
      if (!this.#isLive(slot, this.#flags[slot]!)) continue;
      scored.push([key, policy.rank ? policy.rank(slot) : reads![slot * 2]!]);
    }
    scored.sort((a, b) => b[1] - a[1]);
    return scored.slice(0, n).map(([key]) => key);
  }

  /** Entries held (expired ones count until a read or the sweep removes them). */
  get size(): number {
    return this.#map.size;
  }

  /** Bytes held, when sizes are tracked (a byte limit, `sizeOf` or a serializer); else `0`. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Removes every expired entry now; the periodic sweep calls this.
   * Each removal counts as an expiration with an `expire` event. @returns how many were removed.
   */
  sweep(): number {
    if (this.#ttlCount === 0 || this.closed) return 0;
    const now = this.clock.now();
    let removed = 0;
    for (let slot = 0; slot < this.#top; slot++) {
      const flags = this.#flags[slot]!;
      if ((flags & TTL) === 0) continue;
      const key = this.#keys[slot] as string;
      if (now >= this.#physicalExpiry(slot, flags)) {
        this.#removeSlot(slot, key);
        removed++;
        this.reportExpiration(key);
      }
    }
    return removed;
  }

  // ---- export, import, snapshots ----------------------------------------------------------------

  /** Yields every live entry (a copy of each value when a serializer is set), in slot order. */
  async *exportEntries(): AsyncIterable<ExportedEntry<V>> {
    this.checkOpen();
    for (const key of [...this.#map.keys()]) {
      const slot = this.#map.get(key);
      if (slot === undefined || !this.#isLive(slot, this.#flags[slot]!)) continue;
      const value = this.#serializer === undefined ? this.#values[slot] : this.#decode(slot, key);
      if (value === MISSING) continue;
      const flags = this.#flags[slot]!;
      yield {
        key,
        value: value as V,
        createdAt: this.#time(slot, CREATED),
        expiresAt: flags & TTL ? this.#expires![slot] : undefined,
        tags: this.#tagsOf.get(slot) ?? NO_TAGS,
      };
    }
  }

  /**
   * Stores entries as `exportEntries()` yields them, keeping their `createdAt` and `expiresAt`;
   * entries already expired are skipped. Each stored entry counts as a set.
   * @returns how many were stored.
   * @throws CacheConfigError for a malformed entry, and what `setSync` throws (entries before it stay).
   */
  async importEntries(
    entries: AsyncIterable<ExportedEntry<V>> | Iterable<ExportedEntry<V>>,
  ): Promise<number> {
    let stored = 0;
    for await (const entry of entries) {
      this.checkOpen();
      if (entry === null || typeof entry !== 'object')
        throw new CacheConfigError('importEntries takes entry objects');
      const { key, value, createdAt, expiresAt, tags } = entry;
      validateKey(key, this.#maxKey);
      if (value === undefined) throw undefinedValueError(key);
      if (typeof createdAt !== 'number' || !Number.isFinite(createdAt))
        throw new CacheConfigError('createdAt must be a time');
      if (expiresAt !== undefined && (typeof expiresAt !== 'number' || Number.isNaN(expiresAt))) {
        throw new CacheConfigError('expiresAt must be a time or undefined');
      }
      const list = tags === undefined ? NO_TAGS : this.buildEntry(value, { tags }).tags;
      const expiry = expiresAt === Number.POSITIVE_INFINITY ? undefined : expiresAt;
      if (expiry !== undefined && this.clock.now() >= expiry) continue;
      this.#store(key, value, undefined, createdAt, expiry, list, undefined);
      this.stats.sets++;
      if (this.emitter.listening) this.emitter.emit('set', { key });
      stored++;
    }
    return stored;
  }

  /**
   * Writes the snapshot now (atomically). Only with the `persist` option. Entries whose value
   * cannot be encoded are left out, each with an `error` event.
   * @throws CacheConfigError without `persist`; the file system's error wrapped in a CacheError.
   */
  async saveSnapshot(): Promise<void> {
    if (!this.#persistence) throw new CacheConfigError('saveSnapshot needs the persist option');
    await this.#persistence.save();
  }

  /** This cache as its snapshots see it. */
  #snapshotHost(): SnapshotHost<V> {
    return {
      serializer: this.#serializer,
      needsValues: this.#sizeOf !== undefined,
      changed: () => this.#dirty,
      setChanged: (changed) => {
        this.#dirty = changed;
      },
      now: () => this.clock.now(),
      held: (now) => this.#held(now),
      restore: (key, value, bytes, entry) => {
        validateKey(key, this.#maxKey);
        this.#store(key, value, bytes, entry.createdAt, entry.expiresAt, entry.tags, entry.staleUntil);
      },
      reportError: (error, key) => this.reportError(error, key),
      saveSnapshot: () => this.saveSnapshot(),
    };
  }

  /** The entries held and not past their physical expiry at `now`, in slot order. */
  *#held(now: number): Iterable<HeldEntry> {
    for (let slot = 0; slot < this.#top; slot++) {
      const key = this.#keys[slot];
      if (key === undefined) continue;
      const flags = this.#flags[slot]!;
      if (flags & TTL && now >= this.#physicalExpiry(slot, flags)) continue;
      yield {
        key,
        createdAt: this.#time(slot, CREATED),
        expiresAt: flags & TTL ? this.#expires![slot] : undefined,
        staleUntil: flags & STALE ? this.#staleOf.get(slot) : undefined,
        tags: this.#tagsOf.get(slot) ?? NO_TAGS,
        stored: this.#values[slot],
      };
    }
  }

  // ---- SyncCache's primitives -------------------------------------------------------------------

  protected readValue(key: string): V | undefined {
    // Kept small, under V8's 460-byte bytecode limit for inlining into `getSync`; no clock is read
    // while no entry has a TTL.
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    if (this.#ttlCount !== 0 && !this.#check(slot, key, this.#flags[slot]!)) return undefined;
    const value = this.#serializer === undefined ? this.#values[slot] : this.#decode(slot, key);
    if (value === MISSING) return undefined;
    this.#touch(slot);
    return value as V;
  }

  protected peekValue(key: string): V | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined || !this.#isLive(slot, this.#flags[slot]!)) return undefined;
    if (this.#serializer === undefined) return this.#values[slot] as V;
    try {
      return this.#serializer.deserialize(this.#values[slot] as Uint8Array) as V;
    } catch {
      return undefined;
    }
  }

  protected hasEntrySync(key: string): boolean {
    const slot = this.#map.get(key);
    if (slot === undefined) return false;
    return this.#ttlCount === 0 || this.#check(slot, key, this.#flags[slot]!);
  }

  /** Without a TTL, createdAt is the coarse metadata time and no clock is read (see `#cachedNow`). */
  protected storeValue(key: string, value: V, ttl: number | undefined, tags: readonly string[]): void {
    if (ttl === undefined) {
      const now = this.#cachedNow !== 0 ? this.#cachedNow : this.#readNow();
      this.#store(key, value, undefined, now, undefined, tags, undefined);
    } else {
      const now = this.clock.now();
      this.#store(key, value, undefined, now, now + ttl, tags, undefined);
    }
  }

  protected readEntrySync(key: string): StoredEntry<V> | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    const value = this.#serializer === undefined ? this.#values[slot] : this.#decode(slot, key);
    if (value === MISSING) return undefined;
    const flags = this.#flags[slot]!;
    const entry: StoredEntry<V> = {
      value: value as V,
      createdAt: this.#time(slot, CREATED),
      expiresAt: flags & TTL ? this.#expires![slot] : undefined,
      tags: this.#tagsOf.get(slot) ?? NO_TAGS,
    };
    if (flags & STALE) entry.staleUntil = this.#staleOf.get(slot)!;
    if (this.#isLive(slot, flags)) this.#touch(slot);
    if (this.#reads !== undefined) {
      entry.hits = this.#reads[slot * 2]!;
      const lastAccessAt = this.#time(slot, ACCESS);
      if (lastAccessAt !== 0) entry.lastAccessAt = lastAccessAt;
    }
    if (this.#sizing) entry.size = this.#sizes![slot]!;
    return entry;
  }

  protected writeEntrySync(key: string, entry: StoredEntry<V>): void {
    this.#store(key, entry.value, undefined, entry.createdAt, entry.expiresAt, entry.tags, entry.staleUntil);
  }

  /** Encodes and sizes every value before the first write, so that one that fails changes nothing. */
  protected override writeEntriesSync(entries: readonly (readonly [string, StoredEntry<V>])[]): void {
    const encoded = entries.map(([key, { value }]) => {
      if (!this.#sizing) return undefined;
      const bytes = this.#serializer ? this.#encode(key, value) : undefined;
      this.#measure(key, value, bytes);
      return bytes;
    });
    entries.forEach(([key, entry], i) => {
      this.#store(
        key,
        entry.value,
        encoded[i],
        entry.createdAt,
        entry.expiresAt,
        entry.tags,
        entry.staleUntil,
      );
    });
  }

  protected removeEntrySync(key: string): boolean {
    const slot = this.#map.get(key);
    if (slot === undefined) return false;
    const live = this.#isLive(slot, this.#flags[slot]!);
    this.#removeSlot(slot, key);
    return live;
  }

  protected *scanKeysSync(prefix: string | undefined): Iterable<string> {
    for (const key of [...this.#map.keys()]) {
      if (prefix !== undefined && !key.startsWith(prefix)) continue;
      const slot = this.#map.get(key);
      if (slot !== undefined && this.#isLive(slot, this.#flags[slot]!)) yield key;
    }
  }

  protected clearEntriesSync(prefix: string | undefined): void {
    if (prefix !== undefined) {
      for (const [key, slot] of [...this.#map]) if (key.startsWith(prefix)) this.#removeSlot(slot, key);
      return;
    }
    this.#map.clear();
    this.#keys = new Array<string | undefined>(this.#capacity);
    this.#values = new Array<unknown>(this.#capacity);
    this.#flags.fill(0);
    this.#tagsOf.clear();
    this.#staleOf.clear();
    this.#slotsByTag.clear();
    this.#free.length = 0;
    this.#top = 0;
    this.#bytes = 0;
    this.#ttlCount = 0;
    this.#sizes?.fill(0);
    this.#policy.clear();
    this.#dirty = true;
  }

  /**
   * Removes every entry carrying one of the tags now, through the tag index (cost: the entries
   * with those tags). Eager removal is exact where invalidation times would be only as fine as
   * the clock (an entry written in the same millisecond after the call survives).
   */
  protected removeTagged(tags: readonly string[]): void {
    for (const tag of tags) {
      const slots = this.#slotsByTag.get(tag);
      if (slots === undefined) continue;
      for (const slot of [...slots]) {
        const key = this.#keys[slot];
        if (key !== undefined) this.#removeSlot(slot, key);
      }
    }
  }

  /** Adds the entry's size, by JSON when sizes are not tracked. */
  protected override describeEntry(key: string, entry: StoredEntry<V>): CacheEntryInfo<V> {
    const info = super.describeEntry(key, entry);
    if (info.size === undefined) {
      const size = jsonSize(entry.value);
      if (size !== undefined) info.size = size;
    }
    return info;
  }

  protected override statsExtra(): Record<string, unknown> {
    const extra: Record<string, unknown> = { entries: this.#map.size, policy: this.#policy.name };
    if (this.#sizing) extra.bytes = this.#bytes;
    return extra;
  }

  /** The snapshot is taken and the entries removed at once: a closed cache holds nothing. */
  protected override async closeBackend(): Promise<void> {
    clearInterval(this.#sweepTimer);
    const saving = this.#persistence?.close();
    this.clearEntriesSync(undefined);
    await saving;
  }

  // ---- internals ------------------------------------------------------------------------------

  #timedSweep(): void {
    try {
      this.sweep();
    } catch (error) {
      this.reportError(toCacheError(error, 'sweep failed'));
    }
  }

  /** Records a read of a live entry: recency, and with `trackReads` hits and lastAccessAt. */
  #touch(slot: number): void {
    const reads = this.#reads;
    if (reads !== undefined) {
      const r = slot * 2;
      reads[r]!++;
      const at = this.#cachedAt;
      if (at !== 0) reads[r + 1] = at;
      else this.#stamp(slot, ACCESS, this.#cachedNow !== 0 ? this.#cachedNow : this.#readNow());
    }
    this.#policy.access(slot);
  }

  /** For a slot with flags: whether it is live; removes it when past its physical expiry. */
  #check(slot: number, key: string, flags: number): boolean {
    if (flags & TTL) {
      const now = this.clock.now();
      if (now >= this.#expires![slot]!) {
        if (now >= this.#physicalExpiry(slot, flags)) {
          this.#removeSlot(slot, key);
          this.reportExpiration(key);
        }
        return false;
      }
    }
    return true;
  }

  /** Whether a slot is live, without changing anything. */
  #isLive(slot: number, flags: number): boolean {
    return (flags & TTL) === 0 || this.clock.now() < this.#expires![slot]!;
  }

  #physicalExpiry(slot: number, flags: number): number {
    return flags & STALE ? this.#staleOf.get(slot)! : this.#expires![slot]!;
  }

  /** Stores a time (epoch ms) in a slot's `CREATED` or `ACCESS` word. */
  #stamp(slot: number, word: typeof CREATED | typeof ACCESS, time: number): void {
    const at = time - this.#timeBase;
    if (at >>> 0 === at && at !== 0) {
      if (word === CREATED) this.#created[slot] = at;
      else this.#reads![slot * 2 + 1] = at;
    } else this.#stampSlow(slot, word, time);
  }

  /**
   * Stores a time that does not fit an offset: the first one moves every time to `#wide` as
   * absolute float64 times; it is stored there.
   */
  #stampSlow(slot: number, word: typeof CREATED | typeof ACCESS, time: number): void {
    let wide = this.#wide;
    if (wide === undefined) {
      const base = this.#timeBase;
      wide = new Float64Array(this.#capacity * 2);
      for (let s = 0; s < this.#capacity; s++) {
        const created = this.#created[s]!;
        const access = this.#reads?.[s * 2 + 1] ?? 0;
        wide[s * 2] = created === 0 ? 0 : created + base;
        wide[s * 2 + 1] = access === 0 ? 0 : access + base;
      }
      this.#wide = wide;
      this.#timeBase = Number.NaN;
      this.#cachedAt = 0;
    }
    wide[slot * 2 + word] = time;
  }

  /** A slot's `CREATED` or `ACCESS` time in epoch ms (`0` = never). */
  #time(slot: number, word: typeof CREATED | typeof ACCESS): number {
    if (this.#wide !== undefined) return this.#wide[slot * 2 + word]!;
    const at = word === CREATED ? this.#created[slot]! : (this.#reads?.[slot * 2 + 1] ?? 0);
    return at === 0 ? 0 : at + this.#timeBase;
  }

  /** The time for metadata (createdAt without TTL, lastAccessAt): see `#cachedNow`. */
  #readNow(): number {
    const now = this.clock.now();
    if (this.#coarse) {
      this.#cachedNow = now;
      const at = now - this.#timeBase;
      this.#cachedAt = at >>> 0 === at ? at : 0;
      setTimeout(this.#forgetNow, 1).unref();
    }
    return now;
  }

  #decode(slot: number, key: string): unknown {
    try {
      return (this.#serializer as Serializer).deserialize(this.#values[slot] as Uint8Array);
    } catch (error) {
      this.#removeSlot(slot, key);
      this.reportError(
        error instanceof CacheSerializationError
          ? error
          : new CacheSerializationError('stored bytes cannot be decoded', { cause: error, key }),
        key,
      );
      return MISSING;
    }
  }

  #encode(key: string, value: V): Uint8Array {
    return serializeValue(this.#serializer as Serializer, value, key);
  }

  /** The size of an entry; refuses one over `maxEntrySize` (and so over `maxBytes`). */
  #measure(key: string, value: V, bytes: Uint8Array | undefined): number {
    return entrySize(this.#sizeOf, this.#maxEntrySize, key, value, bytes);
  }

  /**
   * Writes an entry (new or replacing), then evicts while over a limit. Everything that can
   * fail (encoding, sizing, a full 'none' cache) happens before any state changes.
   *
   * With a policy that evicts before it inserts (`evictsFirst`: every policy but the admission
   * policy W-TinyLFU), the victims are chosen among the other entries before the write, so the
   * entry just written is never one of them: a new key in a cache full by count evicts one victim
   * and reuses its slot directly (as lru-cache does); a write that would go over the byte limit
   * evicts others until it fits (an overwrite that needs room re-enters the policy as a new
   * entry, so that it is not named itself). Admission policies insert, then evict (they may refuse
   * the newcomer). Evictions are reported once the new entry is in place, so a listener sees a
   * consistent cache.
   */
  #store(
    key: string,
    value: V,
    encoded: Uint8Array | undefined,
    createdAt: number,
    expiresAt: number | undefined,
    tags: readonly string[],
    staleUntil: number | undefined,
  ): void {
    let stored: unknown = value;
    let size = 0;
    if (this.#sizing) {
      if (this.#serializer !== undefined) stored = encoded ?? this.#encode(key, value);
      size = this.#measure(key, value, stored === value ? undefined : (stored as Uint8Array));
    }
    if (this.#refuses) this.#makeRoom(key, size);
    let slot = this.#map.get(key);
    let isNew = slot === undefined;
    let old = 0;
    let victim: string | undefined;
    let victimExpired = false;
    let sizeVictims: [string, boolean, EvictedEntry<V> | undefined][] | undefined;
    let spilled: EvictedEntry<V> | undefined;
    if (slot === undefined) {
      slot = -1;
      if (this.#evictsFirst && this.#map.size >= this.#maxEntries) {
        const candidate = this.#policy.victim();
        victim = candidate >= 0 ? this.#keys[candidate] : undefined;
        if (victim !== undefined) {
          const flags = this.#flags[candidate]!;
          victimExpired = (flags & TTL) !== 0 && this.clock.now() >= this.#expires![candidate]!;
          if (this.onEvict && !victimExpired) spilled = this.#evicted(candidate, victim, 'capacity');
          this.#clearSlot(candidate, victim, flags);
          slot = candidate;
        }
      }
      if (this.#evictsFirst && this.#bytes + size > this.#maxBytes) sizeVictims = this.#evictForBytes(size);
      if (slot === -1) slot = this.#alloc();
      this.#map.set(key, slot);
      this.#keys[slot] = key;
    } else {
      old = this.#flags[slot]!;
      if (this.#evictsFirst && this.#sizing && this.#bytes - this.#sizes![slot]! + size > this.#maxBytes) {
        this.#policy.remove(slot);
        isNew = true;
        sizeVictims = this.#evictForBytes(size - this.#sizes![slot]!);
      }
    }
    this.#values[slot] = stored;
    if (this.#reads !== undefined) {
      this.#reads[slot * 2] = 0;
      this.#reads[slot * 2 + 1] = 0;
    }
    const at = createdAt - this.#timeBase;
    if (at >>> 0 === at && at !== 0) this.#created[slot] = at;
    else this.#stampSlow(slot, CREATED, createdAt);
    if (this.#wide !== undefined) this.#wide[slot * 2 + ACCESS] = 0;
    let flags = 0;
    if (expiresAt !== undefined) {
      flags = TTL;
      (this.#expires ??= new Float64Array(this.#capacity))[slot] = expiresAt;
    }
    if (old !== 0) {
      if (old & TAGS) this.#unindexTags(slot);
      if (old & STALE && (staleUntil === undefined || expiresAt === undefined)) this.#staleOf.delete(slot);
      if (old & TTL) this.#ttlCount--;
    }
    if (tags.length > 0) {
      flags |= TAGS;
      this.#tagsOf.set(slot, tags);
      for (const tag of tags) {
        const slots = this.#slotsByTag.get(tag);
        if (slots === undefined) this.#slotsByTag.set(tag, new Set([slot]));
        else slots.add(slot);
      }
    }
    if (staleUntil !== undefined && expiresAt !== undefined) {
      flags |= STALE;
      this.#staleOf.set(slot, staleUntil);
    }
    if (flags & TTL) this.#ttlCount++;
    this.#flags[slot] = flags;
    if (this.#sizing) {
      const sizes = this.#sizes!;
      this.#bytes += size - sizes[slot]!;
      sizes[slot] = size;
    }
    this.#dirty = true;
    if (isNew) this.#policy.insert(slot, key, expiresAt ?? Number.POSITIVE_INFINITY);
    else this.#policy.update(slot, expiresAt ?? Number.POSITIVE_INFINITY);
    if (victim !== undefined) this.reportEviction(victim, victimExpired ? 'expired' : 'capacity');
    if (spilled) this.#spill(spilled);
    if (sizeVictims !== undefined)
      for (const [name, expired, entry] of sizeVictims) {
        this.reportEviction(name, expired ? 'expired' : 'size');
        if (entry) this.#spill(entry);
      }
    if (this.#map.size > this.#maxEntries || this.#bytes > this.#maxBytes) this.#evict();
  }

  /** The entry in `slot` as `onEvict` receives it, or `undefined` when its bytes cannot be decoded. */
  #evicted(slot: number, key: string, reason: 'capacity' | 'size'): EvictedEntry<V> | undefined {
    let value = this.#values[slot] as V;
    if (this.#serializer !== undefined) {
      try {
        value = this.#serializer.deserialize(value as Uint8Array) as V;
      } catch {
        return undefined;
      }
    }
    const flags = this.#flags[slot] as number;
    return {
      key,
      value,
      createdAt: this.#time(slot, CREATED),
      expiresAt: flags & TTL ? this.#expires![slot] : undefined,
      tags: this.#tagsOf.get(slot) ?? NO_TAGS,
      reason,
    };
  }

  #spill(entry: EvictedEntry<V>): void {
    try {
      this.onEvict?.(entry);
    } catch {
      // The listener's failure is its own.
    }
  }

  /**
   * Before a write that adds `growth` bytes: evicts the policy's victims (the entry being written
   * is not in the policy) until it fits. @returns the victims' keys and whether each had expired.
   */
  #evictForBytes(growth: number): [string, boolean, EvictedEntry<V> | undefined][] {
    const evicted: [string, boolean, EvictedEntry<V> | undefined][] = [];
    while (this.#bytes + growth > this.#maxBytes) {
      const slot = this.#policy.victim();
      const key = slot >= 0 ? this.#keys[slot] : undefined;
      if (key === undefined) break;
      const flags = this.#flags[slot]!;
      const expired = (flags & TTL) !== 0 && this.clock.now() >= this.#expires![slot]!;
      evicted.push([key, expired, this.onEvict && !expired ? this.#evicted(slot, key, 'size') : undefined]);
      this.#removeSlot(slot, key);
    }
    return evicted;
  }

  /** With `policy: 'none'`: refuses a write that would go over a limit (after sweeping expired entries). */
  #makeRoom(key: string, size: number): void {
    for (let attempt = 0; ; attempt++) {
      const slot = this.#map.get(key);
      const count = this.#map.size + (slot === undefined ? 1 : 0);
      const bytes = this.#bytes + size - (slot === undefined || !this.#sizing ? 0 : this.#sizes![slot]!);
      if (count <= this.#maxEntries && bytes <= this.#maxBytes) return;
      if (attempt === 1 || this.sweep() === 0) {
        throw new CacheFullError(
          count > this.#maxEntries
            ? `the cache holds ${this.#maxEntries} entries and its policy is 'none'`
            : `the entry does not fit in ${this.#maxBytes} bytes and the policy is 'none'`,
          { key },
        );
      }
    }
  }

  /** Evicts the policy's victims while the cache is over a limit. */
  #evict(): void {
    for (;;) {
      const overCount = this.#map.size > this.#maxEntries;
      if (!overCount && this.#bytes <= this.#maxBytes) return;
      const slot = this.#policy.victim();
      const key = slot >= 0 ? this.#keys[slot] : undefined;
      // A policy that names no live slot cannot free room: stop rather than loop.
      if (key === undefined) return;
      const flags = this.#flags[slot]!;
      const expired = (flags & TTL) !== 0 && this.clock.now() >= this.#expires![slot]!;
      const reason = overCount ? 'capacity' : 'size';
      const spilled = this.onEvict && !expired ? this.#evicted(slot, key, reason) : undefined;
      this.#removeSlot(slot, key);
      this.reportEviction(key, expired ? 'expired' : reason);
      if (spilled) this.#spill(spilled);
    }
  }

  #unindexTags(slot: number): void {
    for (const tag of this.#tagsOf.get(slot)!) {
      const slots = this.#slotsByTag.get(tag);
      if (slots?.delete(slot) && slots.size === 0) this.#slotsByTag.delete(tag);
    }
    this.#tagsOf.delete(slot);
  }

  /** Removes an entry and puts its slot on the free stack. */
  #removeSlot(slot: number, key: string): void {
    this.#clearSlot(slot, key, this.#flags[slot]!);
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#free.push(slot);
  }

  /**
   * Removes an entry from the map, the indexes, the byte count and the policy; the caller
   * either frees the slot or writes a new entry into it at once.
   */
  #clearSlot(slot: number, key: string, flags: number): void {
    this.#map.delete(key);
    if (flags !== 0) {
      if (flags & TTL) this.#ttlCount--;
      if (flags & TAGS) this.#unindexTags(slot);
      if (flags & STALE) this.#staleOf.delete(slot);
      this.#flags[slot] = 0;
    }
    if (this.#sizing) {
      const sizes = this.#sizes!;
      this.#bytes -= sizes[slot]!;
      sizes[slot] = 0;
    }
    this.#policy.remove(slot);
    this.#dirty = true;
  }

  #alloc(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#top === this.#capacity) this.#grow();
    return this.#top++;
  }

  /** Doubles the slot arrays, up to `maxEntries + 1` (one over, for the entry being admitted). */
  #grow(): void {
    const capacity = Math.min(Math.max(INITIAL_CAPACITY, this.#capacity * 2), this.#maxEntries + 1);
    this.#keys = preallocated(this.#keys, this.#top, capacity);
    this.#values = preallocated(this.#values, this.#top, capacity);
    this.#flags = resized(this.#flags, new Uint8Array(capacity));
    if (this.#reads) this.#reads = resized(this.#reads, new Uint32Array(capacity * 2));
    this.#created = resized(this.#created, new Uint32Array(capacity));
    if (this.#wide) this.#wide = resized(this.#wide, new Float64Array(capacity * 2));
    if (this.#expires) this.#expires = resized(this.#expires, new Float64Array(capacity));
    if (this.#sizing) this.#sizes = resized(this.#sizes ?? new Float64Array(0), new Float64Array(capacity));
    this.#policy.grow(capacity);
    this.#capacity = capacity;
  }
}
