/**
 * The slots of `MemoryCache`: what each one holds, column by column. The key and the value (by
 * reference, or the serializer's bytes) in two arrays; flags (one byte: {@link TTL}, {@link TAGS},
 * {@link STALE}); the times (inherited from {@link SlotTimes}, so that a hot path finds them in
 * the same object); `expiresAt` (allocated at the first entry with a TTL; only slots flagged TTL
 * read it); sizes (only when sizes are tracked); stale deadlines (a sparse map) and tags
 * ({@link TagIndex}). The columns double in length as the cache grows (capped at
 * `maxEntries + 1`), each allocated at its full length as lru-cache does, together with the
 * eviction policy's bookkeeping; freed slots go on a stack for reuse. The cache owns the key map,
 * the policy's decisions and the limits; this class writes and clears a slot.
 */
import type { Clock } from '@cache/core';
import type { EvictionPolicy } from '../policies/policy.js';
import { SlotTimes } from './slot-times.js';
import { TagIndex } from './tag-index.js';
import { preallocated, resized } from './values.js';

/** A slot's flags. */
export const TTL = 1;
const TAGS = 2;
const STALE = 4;
const INITIAL_CAPACITY = 16;

/** The slot columns of one cache. */
export class SlotStore extends SlotTimes {
  keys: (string | undefined)[] = [];
  values: unknown[] = [];
  /** Per slot: `TTL | TAGS | STALE`. */
  flags = new Uint8Array(0);
  expires: Float64Array | undefined;
  sizes: Float64Array | undefined;
  readonly staleOf = new Map<number, number>();
  readonly tags = new TagIndex();
  /** Slots `0 .. top - 1` have been used; a free one has no key. */
  top = 0;
  capacity = 0;
  /** Bytes held (sizes tracked only with `sizing`). */
  bytes = 0;
  /** Entries with a TTL: while there are none, a read checks no expiry. */
  ttlCount = 0;
  readonly #free: number[] = [];
  readonly #policy: EvictionPolicy;
  readonly #sizing: boolean;
  readonly #maxEntries: number;

  constructor(
    clock: Clock,
    coarse: boolean,
    options: { trackReads: boolean; maxEntries: number },
    sizing: boolean,
    policy: EvictionPolicy,
  ) {
    super(clock, coarse, options.trackReads);
    this.#sizing = sizing;
    this.#policy = policy;
    this.#maxEntries = options.maxEntries;
  }

  /** Writes an entry's value and metadata into a slot (its key is already there). */
  write(
    slot: number,
    stored: unknown,
    createdAt: number,
    expiresAt: number | undefined,
    tags: readonly string[],
    staleUntil: number | undefined,
    size: number,
  ): void {
    const old = this.flags[slot]!;
    this.values[slot] = stored;
    this.written(slot, createdAt);
    let flags = 0;
    if (expiresAt !== undefined) {
      flags = TTL;
      (this.expires ??= new Float64Array(this.capacity))[slot] = expiresAt;
    }
    if (old !== 0) {
      if (old & TAGS) this.tags.remove(slot);
      if (old & STALE && (staleUntil === undefined || expiresAt === undefined)) this.staleOf.delete(slot);
      if (old & TTL) this.ttlCount--;
    }
    if (tags.length > 0) {
      flags |= TAGS;
      this.tags.add(slot, tags);
    }
    if (staleUntil !== undefined && expiresAt !== undefined) {
      flags |= STALE;
      this.staleOf.set(slot, staleUntil);
    }
    if (flags & TTL) this.ttlCount++;
    this.flags[slot] = flags;
    if (this.#sizing) {
      const sizes = this.sizes!;
      this.bytes += size - sizes[slot]!;
      sizes[slot] = size;
    }
  }

  /** Clears a slot's metadata (its `flags`), indexes and size; the key and value stay. */
  clear(slot: number, flags: number): void {
    if (flags !== 0) {
      if (flags & TTL) this.ttlCount--;
      if (flags & TAGS) this.tags.remove(slot);
      if (flags & STALE) this.staleOf.delete(slot);
      this.flags[slot] = 0;
    }
    if (this.#sizing) {
      const sizes = this.sizes!;
      this.bytes -= sizes[slot]!;
      sizes[slot] = 0;
    }
  }

  /** Frees a cleared slot for reuse. */
  free(slot: number): void {
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.#free.push(slot);
  }

  /** A slot for a new entry: a freed one, else the next (growing the columns when full). */
  alloc(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.top === this.capacity) this.#grow();
    return this.top++;
  }

  /** Empties every slot, keeping the columns' length (the policy is the cache's to clear). */
  reset(): void {
    this.keys = new Array<string | undefined>(this.capacity);
    this.values = new Array<unknown>(this.capacity);
    this.flags.fill(0);
    this.tags.clear();
    this.staleOf.clear();
    this.#free.length = 0;
    this.top = 0;
    this.bytes = 0;
    this.ttlCount = 0;
    this.sizes?.fill(0);
  }

  /** `undefined` = never expires. */
  expiresAt(slot: number): number | undefined {
    return this.flags[slot]! & TTL ? this.expires![slot] : undefined;
  }

  staleUntil(slot: number): number | undefined {
    return this.flags[slot]! & STALE ? this.staleOf.get(slot) : undefined;
  }

  /** When an entry with a TTL goes for good: its stale deadline, else its expiry. */
  physicalExpiry(slot: number, flags: number): number {
    return flags & STALE ? this.staleOf.get(slot)! : this.expires![slot]!;
  }

  /** The entry's size (0 when sizes are not tracked). */
  sizeAt(slot: number): number {
    return this.#sizing ? this.sizes![slot]! : 0;
  }

  /** Doubles the columns, up to `maxEntries + 1` (one over, for the entry being admitted). */
  #grow(): void {
    const capacity = Math.min(Math.max(INITIAL_CAPACITY, this.capacity * 2), this.#maxEntries + 1);
    this.keys = preallocated(this.keys, this.top, capacity);
    this.values = preallocated(this.values, this.top, capacity);
    this.flags = resized(this.flags, new Uint8Array(capacity));
    this.growTimes(capacity);
    if (this.expires) this.expires = resized(this.expires, new Float64Array(capacity));
    if (this.#sizing) this.sizes = resized(this.sizes ?? new Float64Array(0), new Float64Array(capacity));
    this.#policy.grow(capacity);
    this.capacity = capacity;
  }
}
