/**
 * Room for a write in `MemoryCache`, off its hot path: the victims a byte limit evicts before a
 * write, the refusal of a full cache with `policy: 'none'`, and the entries handed to `onEvict`.
 * The count-limit eviction of a write stays in the class, on the hot path.
 */
import { CacheFullError } from '@cache/core';
import type { EvictedEntry } from '../options.js';
import type { SlotHost } from './slot-host.js';
import { CREATED } from './slot-times.js';

/** A victim: its key, whether it had expired, and what `onEvict` gets (if anything). */
export type Victim<V> = [string, boolean, EvictedEntry<V> | undefined];

/** The entry in `slot` as `onEvict` receives it, or `undefined` when its bytes cannot be decoded. */
export function evictedEntry<V>(
  host: SlotHost<V>,
  slot: number,
  key: string,
  reason: 'capacity' | 'size',
): EvictedEntry<V> | undefined {
  const { slots } = host;
  let value = slots.values[slot] as V;
  if (host.serializer !== undefined) {
    try {
      value = host.serializer.deserialize(value as Uint8Array) as V;
    } catch {
      return undefined;
    }
  }
  return {
    key,
    value,
    createdAt: slots.time(slot, CREATED),
    expiresAt: slots.expiresAt(slot),
    tags: slots.tags.of(slot),
    reason,
  };
}

/** Hands an evicted entry to `onEvict`; the listener's failure is its own. */
export function spill<V>(host: SlotHost<V>, entry: EvictedEntry<V>): void {
  try {
    host.onEvict()?.(entry);
  } catch {
    // The listener's failure is its own.
  }
}

/** Reports victims chosen before a write, once the written entry is in place. */
export function reportVictims<V>(host: SlotHost<V>, victims: readonly Victim<V>[]): void {
  for (const [key, expired, entry] of victims) {
    host.reportEviction(key, expired ? 'expired' : 'size');
    if (entry) spill(host, entry);
  }
}

/**
 * Before a write that adds `growth` bytes: evicts the policy's victims (the entry being written
 * is not in the policy) until it fits. @returns the victims, for the cache to report.
 */
export function evictForBytes<V>(host: SlotHost<V>, growth: number): Victim<V>[] {
  const evicted: Victim<V>[] = [];
  while (host.slots.bytes + growth > host.maxBytes) {
    const slot = host.policy.victim();
    const key = slot >= 0 ? host.slots.keys[slot] : undefined;
    if (key === undefined) break;
    const expired = !host.isLive(slot);
    const spilled = host.onEvict() && !expired ? evictedEntry(host, slot, key, 'size') : undefined;
    evicted.push([key, expired, spilled]);
    host.remove(slot, key);
  }
  return evicted;
}

/** With `policy: 'none'`: refuses a write that would go over a limit (after sweeping expired entries). */
export function makeRoom<V>(host: SlotHost<V>, key: string, size: number): void {
  for (let attempt = 0; ; attempt++) {
    const slot = host.slotOf(key);
    const count = host.count() + (slot === undefined ? 1 : 0);
    const bytes = host.slots.bytes + size - (slot === undefined ? 0 : host.slots.sizeAt(slot));
    if (count <= host.maxEntries && bytes <= host.maxBytes) return;
    if (attempt === 1 || host.sweep() === 0) {
      throw new CacheFullError(
        count > host.maxEntries
          ? `the cache holds ${host.maxEntries} entries and its policy is 'none'`
          : `the entry does not fit in ${host.maxBytes} bytes and the policy is 'none'`,
        { key },
      );
    }
  }
}
