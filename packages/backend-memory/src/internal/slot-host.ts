/**
 * The narrow view of `MemoryCache` that its cold features take (`entries.ts`, `room.ts`, and as
 * a {@link SnapshotHost} `persistence.ts`): its slots, and the few things they may ask of the
 * cache, so that they live apart from the class without reaching into its private state. The
 * cache makes it once, at first use; the hot paths never go through it.
 */
import type { EvictReason, Serializer } from '@cache/core';
import type { EvictedEntry } from '../options.js';
import type { EvictionPolicy } from '../policies/policy.js';
import type { SnapshotHost } from './persistence.js';
import type { SlotStore } from './slot-store.js';

/** What `SlotHost.valueAt` returns for bytes that cannot be decoded (the entry is then removed). */
export const MISSING = Symbol('missing');

/** The cache as its cold features see it. */
export interface SlotHost<V> extends SnapshotHost<V> {
  readonly slots: SlotStore;
  readonly policy: EvictionPolicy;
  readonly serializer: Serializer | undefined;
  /** Sizes are tracked (a byte limit, `sizeOf` or a serializer). */
  readonly sizing: boolean;
  readonly maxEntries: number;
  readonly maxBytes: number;
  /** `maxKeyBytes`. */
  readonly maxKey: number;
  /** The `onEvict` listener now (it may be set after construction). */
  onEvict(): ((entry: EvictedEntry<V>) => void) | undefined;
  /** Entries held, expired ones included. */
  count(): number;
  slotOf(key: string): number | undefined;
  /** The value, decoded; {@link MISSING} (the entry removed, an `error` reported) when it cannot be. */
  valueAt(slot: number, key: string): unknown;
  /** Not expired, without changing anything. */
  isLive(slot: number): boolean;
  /** Records a read of a live entry. */
  touch(slot: number): void;
  /** Removes an entry and frees its slot. */
  remove(slot: number, key: string): void;
  /** The cache's `sweep()`. */
  sweep(): number;
  /** @throws CacheClosedError once the cache is closed. */
  checkOpen(): void;
  /** Checks an entry's tags as a write does. @returns them. */
  tagList(value: V, tags: readonly string[]): readonly string[];
  /** Stores an imported entry, as a counted set. */
  imported(
    key: string,
    value: V,
    createdAt: number,
    expiresAt: number | undefined,
    tags: readonly string[],
  ): void;
  reportExpiration(key: string): void;
  reportEviction(key: string, reason: EvictReason): void;
}
