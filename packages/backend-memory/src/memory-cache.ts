/**
 * `MemoryCache`: the in-process backend. Storage: a `Map<string, number>` from key to slot, and
 * the slots' columns (key, value, flags, times, expiry, size, tags: `internal/slot-store.ts`). A
 * hit only *loads* the flags, and not even them while no entry has a TTL. The eviction policy
 * keeps its own bookkeeping by slot.
 *
 * This class owns the key map, the limits and the policy's decisions, and implements core's
 * `SyncCache` primitives over the slots. The hot ones (read, write, evict, remove) stay here, on
 * private state, so that V8 inlines them as lru-cache does; the cold features see the cache
 * through a `SlotHost`: `internal/entries.ts` (walks, export, import, one entry whole),
 * `internal/room.ts` (byte-limit eviction, `onEvict`), `internal/persistence.ts` (snapshots).
 *
 * Those hot primitives, kept here, are why this file is over 400 lines.
 */
import { type CacheEntryInfo, CacheConfigError, type Serializer } from '@cache/core';
import { serializeValue, type StoredEntry, SyncCache, validateKey } from '@cache/core/backend';
import {
  type ExportedEntry,
  heldEntries,
  hottest,
  importEntries,
  liveEntries,
  peeked,
  removeWithTags,
  storedEntry,
  sweepExpired,
  timedSweep,
} from './internal/entries.js';
import { Persistence } from './internal/persistence.js';
import { evictedEntry, evictForBytes, makeRoom, reportVictims, spill, type Victim } from './internal/room.js';
import { MISSING as MISSING_VALUE, type SlotHost } from './internal/slot-host.js';
import { SlotStore, TTL as TTL_FLAG } from './internal/slot-store.js';
import { decodeError, entrySize, jsonSize, tracksSizes } from './internal/values.js';
import { type EvictedEntry, type MemoryCacheOptions, resolveOptions } from './options.js';
import { createPolicy } from './policies/index.js';
import type { EvictionPolicy } from './policies/policy.js';

export type { ExportedEntry } from './internal/entries.js';

/** A value encoded (with a serializer) and sized before anything is written. */
interface Sized {
  readonly bytes: Uint8Array | undefined;
  readonly size: number;
}

// Local copies of the constants the hot paths read: V8 folds a module's own `const`, not an import.
const TTL = TTL_FLAG;
const MISSING = MISSING_VALUE;

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
  readonly #slots: SlotStore;
  #dirty = false;
  readonly #policy: EvictionPolicy;
  readonly #refuses: boolean;
  /** The policy picks its victims before a write, among the other entries (see `#store`). */
  readonly #evictsFirst: boolean;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxEntryBytes: number;
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
  /** The cold features' view of the slots, made at first use. */
  #host: SlotHost<V> | undefined;

  /**
   * @throws CacheConfigError for a bad option. A missing, corrupt or foreign snapshot never
   * throws: the cache starts empty (for a bad file, with an `error` event on the next microtask).
   */
  constructor(options: MemoryCacheOptions<V> = {}) {
    super(options, 'memory');
    const resolved = resolveOptions(options);
    this.#maxEntries = resolved.maxEntries;
    this.#maxBytes = resolved.maxBytes;
    this.#maxEntryBytes = resolved.maxEntryBytes;
    this.#sizeOf = resolved.sizeOf;
    this.#serializer = resolved.serializer;
    this.onEvict = resolved.onEvict;
    this.#sizing = tracksSizes(resolved);
    this.#refuses = resolved.policy === 'none';
    this.#policy = createPolicy(resolved.policy, resolved.maxEntries);
    this.#evictsFirst = this.#policy.evictsFirst === true;
    this.#slots = new SlotStore(
      this.clock,
      options.clock === undefined,
      resolved,
      this.#sizing,
      this.#policy,
    );
    if (resolved.sweepInterval !== undefined) {
      const host = this.#slotHost();
      this.#sweepTimer = setInterval(() => timedSweep(host), resolved.sweepInterval);
      this.#sweepTimer.unref();
    }
    if (resolved.persist) this.#persistence = new Persistence(this.#slotHost(), resolved.persist);
  }

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
    return hottest(this.#slotHost(), this.#map, n);
  }

  /** Entries held (expired ones count until a read or the sweep removes them). */
  get size(): number {
    return this.#map.size;
  }

  /** Bytes held, when sizes are tracked (a byte limit, `sizeOf` or a serializer); else `0`. */
  get bytes(): number {
    return this.#slots.bytes;
  }

  /**
   * Removes every expired entry now; the periodic sweep calls this.
   * Each removal counts as an expiration with an `expire` event. @returns how many were removed.
   */
  sweep(): number {
    return this.#slots.ttlCount === 0 || this.closed ? 0 : sweepExpired(this.#slotHost());
  }

  /** Yields every live entry (a copy of each value when a serializer is set), in slot order. */
  async *exportEntries(): AsyncIterable<ExportedEntry<V>> {
    this.checkOpen();
    for (const entry of liveEntries(this.#slotHost(), [...this.#map.keys()])) yield entry;
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
    return importEntries(this.#slotHost(), entries);
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

  /** This cache as its cold features see it (`internal/slot-host.ts`), made once. */
  #slotHost(): SlotHost<V> {
    return (this.#host ??= {
      slots: this.#slots,
      policy: this.#policy,
      serializer: this.#serializer,
      sizing: this.#sizing,
      needsValues: this.#sizeOf !== undefined,
      maxEntries: this.#maxEntries,
      maxBytes: this.#maxBytes,
      maxKey: this.maxKeyBytes,
      onEvict: () => this.onEvict,
      now: () => this.clock.now(),
      count: () => this.#map.size,
      slotOf: (key) => this.#map.get(key),
      valueAt: (slot, key) =>
        this.#serializer === undefined ? this.#slots.values[slot] : this.#decode(slot, key),
      isLive: (slot) => this.#isLive(slot, this.#slots.flags[slot]!),
      touch: (slot) => this.#touch(this.#slots, slot),
      remove: (slot, key) => this.#removeSlot(slot, key),
      sweep: () => this.sweep(),
      changed: () => this.#dirty,
      setChanged: (changed) => {
        this.#dirty = changed;
      },
      held: (now) => heldEntries(this.#slotHost(), now),
      restore: (key, value, bytes, entry) => {
        validateKey(key, this.maxKeyBytes);
        const sized = this.#sizing ? this.#sized(key, value, bytes) : undefined;
        this.#store(key, value, sized, entry.createdAt, entry.expiresAt, entry.tags, entry.staleUntil);
      },
      checkOpen: () => this.checkOpen(),
      tagList: (value, tags) => this.buildEntry(value, { tags }).tags,
      imported: (key, value, createdAt, expiresAt, tags) => {
        this.#store(key, value, undefined, createdAt, expiresAt, tags, undefined);
        this.stats.sets++;
        if (this.emitter.listening) this.emitter.emit('set', { key });
      },
      reportError: (error, key) => this.reportError(error, key),
      reportExpiration: (key) => this.reportExpiration(key),
      reportEviction: (key, reason) => this.reportEviction(key, reason),
      saveSnapshot: () => this.saveSnapshot(),
    });
  }

  protected readValue(key: string): V | undefined {
    // Kept small, under V8's 460-byte bytecode limit for inlining into `getSync`; no clock is read
    // while no entry has a TTL.
    const slot = this.#map.get(key);
    if (slot === undefined) return undefined;
    const slots = this.#slots;
    if (slots.ttlCount !== 0 && !this.#check(slot, key, slots.flags[slot]!)) return undefined;
    const value = this.#serializer === undefined ? slots.values[slot] : this.#decode(slot, key);
    if (value === MISSING) return undefined;
    this.#touch(slots, slot);
    return value as V;
  }

  protected peekValue(key: string): V | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined || !this.#isLive(slot, this.#slots.flags[slot]!)) return undefined;
    return peeked(this.#slotHost(), slot);
  }

  protected hasEntrySync(key: string): boolean {
    const slot = this.#map.get(key);
    if (slot === undefined) return false;
    const slots = this.#slots;
    return slots.ttlCount === 0 || this.#check(slot, key, slots.flags[slot]!);
  }

  /** Without a TTL, createdAt is the coarse metadata time and no clock is read (see `SlotTimes.cachedNow`). */
  protected storeValue(key: string, value: V, ttl: number | undefined, tags: readonly string[]): void {
    if (ttl === undefined) {
      const slots = this.#slots;
      const now = slots.cachedNow !== 0 ? slots.cachedNow : slots.readNow();
      this.#store(key, value, undefined, now, undefined, tags, undefined);
    } else {
      const now = this.clock.now();
      this.#store(key, value, undefined, now, now + ttl, tags, undefined);
    }
  }

  protected readEntrySync(key: string): StoredEntry<V> | undefined {
    const slot = this.#map.get(key);
    return slot === undefined ? undefined : storedEntry(this.#slotHost(), slot, key);
  }

  protected writeEntrySync(key: string, entry: StoredEntry<V>): void {
    this.#store(key, entry.value, undefined, entry.createdAt, entry.expiresAt, entry.tags, entry.staleUntil);
  }

  /** Encodes and sizes every value before the first write, so that one that fails changes nothing. */
  protected override writeEntriesSync(entries: readonly (readonly [string, StoredEntry<V>])[]): void {
    const sized = entries.map(([key, { value }]) => (this.#sizing ? this.#sized(key, value) : undefined));
    entries.forEach(([key, e], i) => {
      this.#store(key, e.value, sized[i], e.createdAt, e.expiresAt, e.tags, e.staleUntil);
    });
  }

  protected removeEntrySync(key: string): boolean {
    const slot = this.#map.get(key);
    if (slot === undefined) return false;
    const live = this.#isLive(slot, this.#slots.flags[slot]!);
    this.#removeSlot(slot, key);
    return live;
  }

  protected *scanKeysSync(prefix: string | undefined): Iterable<string> {
    for (const key of [...this.#map.keys()]) {
      if (prefix !== undefined && !key.startsWith(prefix)) continue;
      const slot = this.#map.get(key);
      if (slot !== undefined && this.#isLive(slot, this.#slots.flags[slot]!)) yield key;
    }
  }

  protected clearEntriesSync(prefix: string | undefined): void {
    if (prefix !== undefined) {
      for (const [key, slot] of [...this.#map]) if (key.startsWith(prefix)) this.#removeSlot(slot, key);
      return;
    }
    this.#map.clear();
    this.#slots.reset();
    this.#policy.clear();
    this.#dirty = true;
  }

  /** Removes every entry carrying one of the tags now, through the tag index (see `removeWithTags`). */
  protected removeTagged(tags: readonly string[]): void {
    removeWithTags(this.#slotHost(), tags);
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
    if (this.#sizing) extra.bytes = this.#slots.bytes;
    return extra;
  }

  /** The snapshot is taken and the entries removed at once: a closed cache holds nothing. */
  protected override async closeBackend(): Promise<void> {
    clearInterval(this.#sweepTimer);
    const saving = this.#persistence?.close();
    this.clearEntriesSync(undefined);
    await saving;
  }

  /** Records a read of a live entry: recency, and with `trackReads` hits and lastAccessAt. */
  #touch(slots: SlotStore, slot: number): void {
    slots.read(slot);
    this.#policy.access(slot);
  }

  /** For a slot with flags: whether it is live; removes it when past its physical expiry. */
  #check(slot: number, key: string, flags: number): boolean {
    if (flags & TTL) {
      const now = this.clock.now();
      if (now >= this.#slots.expires![slot]!) {
        if (now >= this.#slots.physicalExpiry(slot, flags)) {
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
    return (flags & TTL) === 0 || this.clock.now() < this.#slots.expires![slot]!;
  }

  #decode(slot: number, key: string): unknown {
    try {
      return (this.#serializer as Serializer).deserialize(this.#slots.values[slot] as Uint8Array);
    } catch (error) {
      this.#removeSlot(slot, key);
      this.reportError(decodeError(error, key), key);
      return MISSING;
    }
  }

  /** Encodes a value (with a serializer, unless its `bytes` are given) and sizes it, for `#store`. */
  #sized(key: string, value: V, bytes?: Uint8Array): Sized {
    if (bytes === undefined && this.#serializer !== undefined)
      bytes = serializeValue(this.#serializer, value, key);
    return { bytes, size: entrySize(this.#sizeOf, this.#maxEntryBytes, key, value, bytes) };
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
    sized: Sized | undefined,
    createdAt: number,
    expiresAt: number | undefined,
    tags: readonly string[],
    staleUntil: number | undefined,
  ): void {
    let stored: unknown = value;
    let size = 0;
    if (sized !== undefined) {
      if (sized.bytes !== undefined) stored = sized.bytes;
      size = sized.size;
    } else if (this.#sizing) {
      if (this.#serializer !== undefined) stored = serializeValue(this.#serializer, value, key);
      const bytes = stored === value ? undefined : (stored as Uint8Array);
      size = entrySize(this.#sizeOf, this.#maxEntryBytes, key, value, bytes);
    }
    if (this.#refuses) makeRoom(this.#slotHost(), key, size);
    const slots = this.#slots;
    let slot = this.#map.get(key);
    let isNew = slot === undefined;
    let victim: string | undefined;
    let victimExpired = false;
    let sizeVictims: Victim<V>[] | undefined;
    let spilled: EvictedEntry<V> | undefined;
    if (slot === undefined) {
      slot = -1;
      if (this.#evictsFirst && this.#map.size >= this.#maxEntries) {
        const candidate = this.#policy.victim();
        victim = candidate >= 0 ? slots.keys[candidate] : undefined;
        if (victim !== undefined) {
          const flags = slots.flags[candidate]!;
          victimExpired = (flags & TTL) !== 0 && this.clock.now() >= slots.expires![candidate]!;
          if (this.onEvict && !victimExpired)
            spilled = evictedEntry(this.#slotHost(), candidate, victim, 'capacity');
          this.#clearSlot(candidate, victim, flags);
          slot = candidate;
        }
      }
      if (this.#evictsFirst && slots.bytes + size > this.#maxBytes)
        sizeVictims = evictForBytes(this.#slotHost(), size);
      if (slot === -1) slot = slots.alloc();
      this.#map.set(key, slot);
      slots.keys[slot] = key;
    } else if (
      this.#evictsFirst &&
      this.#sizing &&
      slots.bytes - slots.sizes![slot]! + size > this.#maxBytes
    ) {
      this.#policy.remove(slot);
      isNew = true;
      sizeVictims = evictForBytes(this.#slotHost(), size - slots.sizes![slot]!);
    }
    slots.write(slot, stored, createdAt, expiresAt, tags, staleUntil, size);
    this.#dirty = true;
    if (isNew) this.#policy.insert(slot, key, expiresAt ?? Number.POSITIVE_INFINITY);
    else this.#policy.update(slot, expiresAt ?? Number.POSITIVE_INFINITY);
    if (victim !== undefined) this.reportEviction(victim, victimExpired ? 'expired' : 'capacity');
    if (spilled) spill(this.#slotHost(), spilled);
    if (sizeVictims !== undefined) reportVictims(this.#slotHost(), sizeVictims);
    if (this.#map.size > this.#maxEntries || slots.bytes > this.#maxBytes) this.#evict();
  }

  /** Evicts the policy's victims while the cache is over a limit. */
  #evict(): void {
    const slots = this.#slots;
    for (;;) {
      const overCount = this.#map.size > this.#maxEntries;
      if (!overCount && slots.bytes <= this.#maxBytes) return;
      const slot = this.#policy.victim();
      const key = slot >= 0 ? slots.keys[slot] : undefined;
      // A policy that names no live slot cannot free room: stop rather than loop.
      if (key === undefined) return;
      const flags = slots.flags[slot]!;
      const expired = (flags & TTL) !== 0 && this.clock.now() >= slots.expires![slot]!;
      const reason = overCount ? 'capacity' : 'size';
      const spilled =
        this.onEvict && !expired ? evictedEntry(this.#slotHost(), slot, key, reason) : undefined;
      this.#removeSlot(slot, key);
      this.reportEviction(key, expired ? 'expired' : reason);
      if (spilled) spill(this.#slotHost(), spilled);
    }
  }

  /** Removes an entry and puts its slot on the free stack. */
  #removeSlot(slot: number, key: string): void {
    this.#clearSlot(slot, key, this.#slots.flags[slot]!);
    this.#slots.free(slot);
  }

  /**
   * Removes an entry from the map, the indexes, the byte count and the policy; the caller
   * either frees the slot or writes a new entry into it at once.
   */
  #clearSlot(slot: number, key: string, flags: number): void {
    this.#map.delete(key);
    this.#slots.clear(slot, flags);
    this.#policy.remove(slot);
    this.#dirty = true;
  }
}
