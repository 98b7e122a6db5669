import type { CacheEntryInfo } from './types.js';

/**
 * An entry as backends store it. Times are epoch milliseconds.
 * `expiresAt` is the logical expiry (`undefined` = never); `staleUntil`, when set, is later and
 * is the physical expiry: the entry is kept until then so that stale values can be served.
 */
export interface StoredEntry<V = unknown> {
  value: V;
  createdAt: number;
  expiresAt: number | undefined;
  staleUntil?: number | undefined;
  tags: readonly string[];
  /** Size in bytes, where the backend knows it. */
  size?: number;
  /** Reads that found this entry, where the backend counts them. */
  hits?: number;
  /** Time of the last read, where the backend records it. */
  lastAccessAt?: number;
}

/** When a backend may forget an entry: its stale deadline, else its expiry (`undefined` = never). */
export function physicalExpiry(entry: Pick<StoredEntry, 'expiresAt' | 'staleUntil'>): number | undefined {
  return entry.staleUntil ?? entry.expiresAt;
}

/** Whether an entry is logically live at `now`. */
export function isLive(entry: Pick<StoredEntry, 'expiresAt'>, now: number): boolean {
  return entry.expiresAt === undefined || now < entry.expiresAt;
}

/** What `getEntry` reports of a stored entry: its times and tags, and what the backend knows besides. */
export function entryInfo<V>(key: string, entry: StoredEntry<V>): CacheEntryInfo<V> {
  const info: CacheEntryInfo<V> = {
    key,
    value: entry.value,
    createdAt: entry.createdAt,
    expiresAt: entry.expiresAt,
    tags: entry.tags,
  };
  if (entry.size !== undefined) info.size = entry.size;
  if (entry.hits !== undefined) info.hits = entry.hits;
  if (entry.lastAccessAt !== undefined) info.lastAccessAt = entry.lastAccessAt;
  return info;
}
