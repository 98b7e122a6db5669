/**
 * Spill mode's buffer of entries on their way down: L1 evicted them for room and their write to
 * L2 is in flight. Reads find them here meanwhile, and operations on their keys wait for the
 * writes to land, so that an entry is never in neither tier, nor written back after a removal.
 */
import type { Cache, Clock, SetOptions } from '@cache/core';
import { replayOptions } from './recovery-queue.js';

/** An entry that L1 evicted for room (what a `MemoryCache` gives its `onEvict`). */
export interface EvictedEntry<V> {
  key: string;
  value: V;
  expiresAt: number | undefined;
  tags: readonly string[];
}

export class SpillBuffer<V> {
  readonly #l2: Cache<V>;
  readonly #clock: Clock;
  readonly #failed: (error: unknown, key: string) => void;
  readonly #pending = new Map<string, { entry: EvictedEntry<V>; done: Promise<void> }>();
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
    const previous = this.#pending.get(entry.key)?.done;
    const done = (async () => {
      await previous;
      await this.#l2.set(entry.key, entry.value, options);
      this.spilled++;
    })()
      .catch((error: unknown) => this.#failed(error, entry.key))
      .finally(() => {
        if (this.#pending.get(entry.key)?.done === done) this.#pending.delete(entry.key);
      });
    this.#pending.set(entry.key, { entry, done });
  }

  /** The live entry of `key` on its way down, if any. */
  peek(key: string): EvictedEntry<V> | undefined {
    const entry = this.#pending.get(key)?.entry;
    return entry && (entry.expiresAt === undefined || entry.expiresAt > this.#clock.now())
      ? entry
      : undefined;
  }

  /** Waits until the writes of these keys (all, when absent) have landed. */
  async settle(keys?: readonly string[]): Promise<void> {
    if (this.#pending.size === 0) return;
    const waits =
      keys === undefined
        ? [...this.#pending.values()].map((p) => p.done)
        : keys.flatMap((key) => this.#pending.get(key)?.done ?? []);
    await Promise.all(waits);
  }
}
