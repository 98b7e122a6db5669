/**
 * Spill mode (`mode: 'spill'`, a memory L1 over a file L2 on one host): L1 is the primary tier
 * and an entry lives in one tier at a time. Writes go to L1; what L1 evicts for room goes down
 * to L2 ({@link SpillBuffer}), and reads move it back up. {@link SpillMode} holds the paths that
 * differ from a tiered cache's; the buffer holds the entries on their way down.
 */
import {
  type Cache,
  CacheFullError,
  type Clock,
  type FactoryContext,
  type GetOrSetOptions,
  type PrefixOptions,
  type SetOptions,
} from '@cache/core';
import { toCacheError } from '@cache/core/backend';
import type { L1Copies } from './l1-copies.js';
import { replayOptions } from './recovery-queue.js';
import type { TieredEvents } from './tiered-events.js';

/** An entry that L1 evicted for room (what a `MemoryCache` gives its `onEvict`). */
export interface EvictedEntry<V> {
  key: string;
  value: V;
  expiresAt: number | undefined;
  tags: readonly string[];
}

/**
 * The entries on their way down: L1 evicted them for room and their write to L2 is in flight.
 * Operations on their keys, reads included, wait for the writes to land, so that an entry is
 * never in neither tier, nor written back after a removal.
 */
class SpillBuffer<V> {
  readonly #l2: Cache<V>;
  readonly #clock: Clock;
  readonly #failed: (error: unknown, key: string) => void;
  /** Per key, the write in flight (after any earlier one of the same key). */
  readonly #pending = new Map<string, Promise<void>>();
  /** Entries written down to L2. */
  spilled = 0;

  constructor(l2: Cache<V>, clock: Clock, failed: (error: unknown, key: string) => void) {
    this.#l2 = l2;
    this.#clock = clock;
    this.#failed = failed;
  }

  /** Starts the write of an evicted entry to L2, after any earlier one of the same key. */
  add(entry: EvictedEntry<V>): void {
    const options: SetOptions | undefined = replayOptions(entry, this.#clock.now());
    if (options === undefined) return;
    const previous = this.#pending.get(entry.key);
    const done = (async () => {
      await previous;
      await this.#l2.set(entry.key, entry.value, options);
      this.spilled++;
    })()
      .catch((error: unknown) => this.#failed(error, entry.key))
      .finally(() => {
        if (this.#pending.get(entry.key) === done) this.#pending.delete(entry.key);
      });
    this.#pending.set(entry.key, done);
  }

  /** Waits until the writes of these keys (all, when absent) have landed. */
  async settle(keys?: readonly string[]): Promise<void> {
    if (this.#pending.size === 0) return;
    const waits =
      keys === undefined ? [...this.#pending.values()] : keys.flatMap((key) => this.#pending.get(key) ?? []);
    await Promise.all(waits);
  }
}

/** Spill mode's side of a tiered cache: its writes, `add`, `getOrSet` and `keys`, and the buffer. */
export class SpillMode<V> {
  readonly #l1: Cache<V>;
  readonly #l2: Cache<V>;
  readonly #copies: L1Copies<V>;
  readonly #events: TieredEvents;
  readonly #buffer: SpillBuffer<V>;

  constructor(
    tiers: { l1: Cache<V>; l2: Cache<V> },
    clock: Clock,
    copies: L1Copies<V>,
    events: TieredEvents,
  ) {
    this.#l1 = tiers.l1;
    this.#l2 = tiers.l2;
    this.#copies = copies;
    this.#events = events;
    const buffer = new SpillBuffer(this.#l2, clock, (error, key) =>
      events.report(toCacheError(error, 'spilling an evicted entry to L2 failed', key), key),
    );
    this.#buffer = buffer;
    this.#evictions((entry) => buffer.add(entry));
    events.forwardL1Removals();
  }

  /** Entries written down to L2. */
  get spilled(): number {
    return this.#buffer.spilled;
  }

  /** Waits until the spills of these keys (all, when absent) have landed. */
  settle(keys?: readonly string[]): Promise<void> {
    return this.#buffer.settle(keys);
  }

  /** Writes to L1 (L2's older copy removed first); an entry L1 refuses (too large) goes to L2. */
  async set(key: string, value: V, write: SetOptions): Promise<void> {
    await this.#dropLower([key]);
    try {
      await this.#l1.set(key, value, this.#copies.options(write));
    } catch (error) {
      if (!(error instanceof CacheFullError)) throw error;
      await this.#l2.set(key, value, write);
    }
  }

  /** `add`: absent from both tiers (a spill in flight included), then added to L1. */
  async add(key: string, value: V, write: SetOptions): Promise<boolean> {
    await this.settle([key]);
    return !(await this.#l2.has(key)) && (await this.#l1.add(key, value, this.#copies.options(write)));
  }

  /** An L2 entry was copied into L1: it moves up, removed from L2, when L1 kept it. */
  async promoted(key: string): Promise<void> {
    if (await this.#l1.has(key)) await this.#dropLower([key]);
  }

  /** `getOrSet` after a miss in both tiers: L1's getOrSet computes (single-flight, stale windows, timeouts). */
  async getOrSet<T extends V>(
    key: string,
    factory: (ctx: FactoryContext<V>) => T | Promise<T>,
    options: GetOrSetOptions,
  ): Promise<T> {
    this.#events.miss(key);
    let ran = false;
    const value = await this.#l1.getOrSet(
      key,
      async (ctx) => {
        const value = await factory(ctx);
        ran = true;
        return value;
      },
      this.#copies.options(options),
    );
    if (ran) this.#events.set(key);
    return value;
  }

  /** The keys of both tiers (an entry lives in one or both). */
  async *keys(options?: PrefixOptions): AsyncIterable<string> {
    await this.settle();
    const seen = new Set<string>();
    for await (const key of this.#l1.keys(options)) {
      seen.add(key);
      yield key;
    }
    for await (const key of this.#l2.keys(options)) if (!seen.has(key)) yield key;
  }

  /** Stops spilling, once the spills in flight have landed (their failures are reported). */
  async close(): Promise<void> {
    this.#evictions(undefined);
    await this.settle().catch(() => undefined);
  }

  /** Sets L1's eviction hook (a `MemoryCache`'s `onEvict`). */
  #evictions(hook: ((entry: EvictedEntry<V>) => void) | undefined): void {
    (this.#l1 as unknown as { onEvict: unknown }).onEvict = hook;
  }

  /** Removes L2's copies of keys about to be written to L1, once their spills in flight are done. */
  async #dropLower(keys: readonly string[]): Promise<void> {
    await this.settle(keys);
    const internal = this.#events.internal;
    for (const key of keys) internal.add(key);
    try {
      await this.#l2.deleteMany(keys);
    } finally {
      for (const key of keys) internal.delete(key);
    }
  }
}
