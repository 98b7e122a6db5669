/**
 * The contract between `MemoryCache` and its eviction policies.
 *
 * The cache keeps entries in numbered slots (0 .. capacity-1) and tells the policy what
 * happens to each slot; the policy keeps its own bookkeeping in typed arrays indexed by
 * slot (grown by `grow`) and, when the cache is over a limit, names the slot to evict.
 * Policies never touch values or keys beyond what they are given, and never allocate
 * per operation on the hot paths (`access`, `insert`, `remove`).
 */

/** The policies `MemoryCache` offers. */
export const PolicyName = {
  /** Scan-resistant, adaptive: W-TinyLFU (frequency sketch admission, window + main, window share tuned by sampled miniature caches). */
  tinylfu: 'tinylfu',
  lru: 'lru',
  lfu: 'lfu',
  fifo: 'fifo',
  /** Evicts the entry that expires soonest (entries without TTL last). */
  ttl: 'ttl',
  sieve: 'sieve',
  s3fifo: 's3fifo',
  /** Never evicts: a full cache refuses new keys with `CacheFullError`. */
  none: 'none',
} as const;

/** One of {@link PolicyName}. */
export type PolicyName = (typeof PolicyName)[keyof typeof PolicyName];

/** What every policy implements. Slots are small non-negative integers. */
export interface EvictionPolicy {
  readonly name: PolicyName;
  /**
   * `true` when the cache asks for victims before a write, so that they are chosen among the
   * other entries and the entry being written is never evicted by its own write (every policy
   * but W-TinyLFU; SIEVE and S3-FIFO as published evict before they insert). The cache then
   * evicts first and reuses a victim's slot for a new entry. Admission policies leave it unset:
   * the cache inserts, then evicts, and they may name the newcomer.
   */
  readonly evictsFirst?: boolean;
  /** Makes slots below `capacity` valid (called before the first use of a slot). */
  grow(capacity: number): void;
  /** A read found the entry in `slot`. */
  access(slot: number): void;
  /** A new entry for `key` now lives in `slot`; `expiresAt` is `Infinity` when it never expires. */
  insert(slot: number, key: string, expiresAt: number): void;
  /** The entry in `slot` was overwritten (a set of an existing key). */
  update(slot: number, expiresAt: number): void;
  /** The entry in `slot` is gone (deleted, expired or evicted); the slot may be reused. */
  remove(slot: number): void;
  /**
   * The slot to evict now that the cache is (or, with `evictsFirst`, is about to go) over a
   * limit, or `-1` when the policy refuses to evict (`none`). It does not remove it: the cache
   * calls `remove(slot)` next. Admission policies may name the entry that was just inserted
   * (it was not worth keeping).
   */
  victim(): number;
  /** Forgets every slot. */
  clear(): void;
  /**
   * How hot the entry in `slot` is, higher for hotter (policies that count reads: W-TinyLFU's
   * sketch estimate, then the reads since the entry was written), for `MemoryCache.hottest()`.
   * Not on a hot path.
   */
  rank?(slot: number): number;
}
