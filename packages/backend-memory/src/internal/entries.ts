/**
 * `MemoryCache`'s entries read or written whole, off the hot paths: the walks over all of them
 * (`hottest`, `sweep`, `invalidateTags`, the live entries `exportEntries()` yields, the held
 * entries a snapshot takes), one entry with its metadata (`getEntry`), and `importEntries()`.
 * They see the cache through a {@link SlotHost}.
 */
import { CacheConfigError } from '@cache/core';
import { type StoredEntry, toCacheError, undefinedValueError, validateKey } from '@cache/core/backend';
import type { HeldEntry } from './persistence.js';
import { MISSING, type SlotHost } from './slot-host.js';
import { TTL } from './slot-store.js';
import { ACCESS, CREATED } from './slot-times.js';
import { NO_TAGS } from './tag-index.js';

/** An entry as `exportEntries()` yields it and `importEntries()` takes it. Times are epoch ms. */
export interface ExportedEntry<V = unknown> {
  key: string;
  value: V;
  createdAt: number;
  /** `undefined` = never expires. */
  expiresAt: number | undefined;
  tags: readonly string[];
}

/** `MemoryCache.hottest`: see there. */
export function hottest<V>(host: SlotHost<V>, keys: Iterable<[string, number]>, n: number): string[] {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new CacheConfigError(`hottest takes a count, got ${String(n)}`);
  const { policy, slots } = host;
  if (policy.rank === undefined && slots.reads === undefined)
    throw new CacheConfigError(
      `hottest() ranks by the 'tinylfu' policy's counts or by counted reads: policy '${policy.name}' needs trackReads: true`,
    );
  if (n === 0) return [];
  const scored: [string, number][] = [];
  for (const [key, slot] of keys) {
    if (!host.isLive(slot)) continue;
    scored.push([key, policy.rank ? policy.rank(slot) : slots.hits(slot)]);
  }
  scored.sort((a, b) => b[1] - a[1]);
  return scored.slice(0, n).map(([key]) => key);
}

/** Removes every expired entry now: see `MemoryCache.sweep`. @returns how many were removed. */
export function sweepExpired<V>(host: SlotHost<V>): number {
  const now = host.now();
  const { slots } = host;
  let removed = 0;
  for (let slot = 0; slot < slots.top; slot++) {
    const flags = slots.flags[slot]!;
    if ((flags & TTL) === 0) continue;
    const key = slots.keys[slot] as string;
    if (now >= slots.physicalExpiry(slot, flags)) {
      host.remove(slot, key);
      removed++;
      host.reportExpiration(key);
    }
  }
  return removed;
}

/** Every live entry (its value decoded), in key order. */
export function* liveEntries<V>(host: SlotHost<V>, keys: readonly string[]): Iterable<ExportedEntry<V>> {
  for (const key of keys) {
    const slot = host.slotOf(key);
    if (slot === undefined || !host.isLive(slot)) continue;
    const value = host.valueAt(slot, key);
    if (value === MISSING) continue;
    const { slots } = host;
    yield {
      key,
      value: value as V,
      createdAt: slots.time(slot, CREATED),
      expiresAt: slots.expiresAt(slot),
      tags: slots.tags.of(slot),
    };
  }
}

/** A live entry's value, without counting a read; `undefined` when its bytes cannot be decoded. */
export function peeked<V>(host: SlotHost<V>, slot: number): V | undefined {
  const stored = host.slots.values[slot];
  if (host.serializer === undefined) return stored as V;
  try {
    return host.serializer.deserialize(stored as Uint8Array) as V;
  } catch {
    return undefined;
  }
}

/** An entry with its metadata, as `getEntry` reads it (a read of a live one counts). */
export function storedEntry<V>(host: SlotHost<V>, slot: number, key: string): StoredEntry<V> | undefined {
  const value = host.valueAt(slot, key);
  if (value === MISSING) return undefined;
  const { slots } = host;
  const entry: StoredEntry<V> = {
    value: value as V,
    createdAt: slots.time(slot, CREATED),
    expiresAt: slots.expiresAt(slot),
    tags: slots.tags.of(slot),
  };
  const staleUntil = slots.staleUntil(slot);
  if (staleUntil !== undefined) entry.staleUntil = staleUntil;
  if (host.isLive(slot)) host.touch(slot);
  if (slots.reads !== undefined) {
    entry.hits = slots.hits(slot);
    const lastAccessAt = slots.time(slot, ACCESS);
    if (lastAccessAt !== 0) entry.lastAccessAt = lastAccessAt;
  }
  if (host.sizing) entry.size = slots.sizeAt(slot);
  return entry;
}

/** The entries held and not past their physical expiry at `now`, in slot order. */
export function* heldEntries<V>(host: SlotHost<V>, now: number): Iterable<HeldEntry> {
  const { slots } = host;
  for (let slot = 0; slot < slots.top; slot++) {
    const key = slots.keys[slot];
    if (key === undefined) continue;
    const flags = slots.flags[slot]!;
    if (flags & TTL && now >= slots.physicalExpiry(slot, flags)) continue;
    yield {
      key,
      createdAt: slots.time(slot, CREATED),
      expiresAt: slots.expiresAt(slot),
      staleUntil: slots.staleUntil(slot),
      tags: slots.tags.of(slot),
      stored: slots.values[slot],
    };
  }
}

/** `MemoryCache.importEntries`: see there. */
export async function importEntries<V>(
  host: SlotHost<V>,
  entries: AsyncIterable<ExportedEntry<V>> | Iterable<ExportedEntry<V>>,
): Promise<number> {
  let stored = 0;
  for await (const entry of entries) {
    host.checkOpen();
    checkImported(entry, host.maxKey);
    const { key, value, createdAt, expiresAt, tags } = entry;
    const list = tags === undefined ? NO_TAGS : host.tagList(value, tags);
    const expiry = expiresAt === Number.POSITIVE_INFINITY ? undefined : expiresAt;
    if (expiry !== undefined && host.now() >= expiry) continue;
    host.imported(key, value, createdAt, expiry, list);
    stored++;
  }
  return stored;
}

/** The periodic sweep: a failure is an `error` event. */
export function timedSweep<V>(host: SlotHost<V>): void {
  try {
    host.sweep();
  } catch (error) {
    host.reportError(toCacheError(error, 'sweep failed'));
  }
}

/**
 * Removes every entry carrying one of the tags now, through the tag index (cost: the entries
 * with those tags). Eager removal is exact where invalidation times would be only as fine as
 * the clock (an entry written in the same millisecond after the call survives).
 */
export function removeWithTags<V>(host: SlotHost<V>, tags: readonly string[]): void {
  const { slots } = host;
  for (const tag of tags) {
    const tagged = slots.tags.slots(tag);
    if (tagged === undefined) continue;
    for (const slot of [...tagged]) {
      const key = slots.keys[slot];
      if (key !== undefined) host.remove(slot, key);
    }
  }
}

/** Checks an entry given to `importEntries()`. @throws CacheConfigError when it is malformed. */
function checkImported<V>(entry: ExportedEntry<V>, maxKey: number): void {
  if (entry === null || typeof entry !== 'object')
    throw new CacheConfigError('importEntries takes entry objects');
  const { key, value, createdAt, expiresAt } = entry;
  validateKey(key, maxKey);
  if (value === undefined) throw undefinedValueError(key);
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt))
    throw new CacheConfigError('createdAt must be a time');
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || Number.isNaN(expiresAt))) {
    throw new CacheConfigError('expiresAt must be a time or undefined');
  }
}
