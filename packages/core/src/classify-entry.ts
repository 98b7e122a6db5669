/**
 * The read-and-classify step of every read of `BaseCache` (`get`, `getOrThrow`, `getEntry`,
 * `has`, `getMany`, the read of `getOrSet`): a stored entry is fresh, stale (expired but still
 * held, so `getOrSet` may serve it), or gone. An entry invalidated by one of its tags, or past its
 * physical expiry, is removed here (only while the key still holds it) and an expiry is counted.
 * The common cases (a miss, a live entry without tags) return without a promise, so that a hot
 * read awaits nothing more than the backend's read.
 */
import { isLive, physicalExpiry, type StoredEntry } from './entry.js';
import type { Lookup } from './factory-runner.js';
import type { CacheStats } from './stats.js';

/** What classifying needs of its cache: the primitives that it calls, and where it counts. */
export interface ClassifyHost<V> {
  readonly stats: CacheStats;
  /** `BaseCache.readTagInvalidations`. */
  readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]>;
  /** `BaseCache.removeDeadEntry`. */
  removeDeadEntry(key: string, entry: StoredEntry<V>): Promise<unknown>;
  /** Emits an `expire` event when someone listens. */
  expired(key: string): void;
}

/**
 * Classifies the stored entry of `key` read at `now`: without a promise for a miss or a live
 * entry without tags, else through {@link lookupEntry}.
 */
export function classifyEntry<V>(
  host: ClassifyHost<V>,
  key: string,
  entry: StoredEntry<V> | undefined,
  now: number,
): Lookup<V> | Promise<Lookup<V>> {
  if (entry === undefined) return undefined;
  if (entry.tags.length === 0 && isLive(entry, now)) return { state: 'fresh', entry };
  return lookupEntry(host, key, entry, now);
}

/** Classifies a stored entry: fresh, stale (expired but held), or gone (removed here if dead). */
async function lookupEntry<V>(
  host: ClassifyHost<V>,
  key: string,
  entry: StoredEntry<V>,
  now: number,
): Promise<Lookup<V>> {
  if (entry.tags.length > 0 && (await invalidatedByTag(host, entry))) {
    await host.removeDeadEntry(key, entry);
    return undefined;
  }
  if (isLive(entry, now)) return { state: 'fresh', entry };
  const until = physicalExpiry(entry);
  if (until !== undefined && now >= until) {
    await host.removeDeadEntry(key, entry);
    host.stats.expirations++;
    host.expired(key);
  }
  return { state: 'stale', entry };
}

/** Whether one of the entry's tags was invalidated at or after the entry was written. */
export async function invalidatedByTag<V>(host: ClassifyHost<V>, entry: StoredEntry<V>): Promise<boolean> {
  const times = await host.readTagInvalidations(entry.tags);
  for (const at of times) if (at !== undefined && at >= entry.createdAt) return true;
  return false;
}
