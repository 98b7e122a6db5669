import type { EvictReason } from './types.js';

/** Evictions counted by their cause: `capacity` (entry limit), `size` (byte limit), `expired`. */
export type EvictionsByCause = Record<EvictReason, number>;

const EVICT_REASONS: readonly EvictReason[] = ['capacity', 'size', 'expired'];

/**
 * A snapshot's evictions by cause, for metrics: `capacity`, `size` and `expired` always, then
 * `unknown` for evictions counted without a cause (a hand-made snapshot of a cache outside the
 * toolkit), only when there are any.
 */
export function evictionCounts(snapshot: CacheStatsSnapshot): [EvictReason | 'unknown', number][] {
  const byCause: Partial<EvictionsByCause> = snapshot.evictionsByCause ?? {};
  const counts: [EvictReason | 'unknown', number][] = EVICT_REASONS.map((cause) => [
    cause,
    byCause[cause] ?? 0,
  ]);
  const unknown = snapshot.evictions - counts.reduce((sum, [, n]) => sum + n, 0);
  if (unknown > 0) counts.push(['unknown', unknown]);
  return counts;
}

/** A plain copy of the counters of a {@link CacheStats}. */
export interface CacheStatsSnapshot {
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  /** Every eviction, whatever its cause: the sum of {@link CacheStatsSnapshot.evictionsByCause}. */
  evictions: number;
  /** The evictions split by cause. */
  evictionsByCause: EvictionsByCause;
  expirations: number;
  errors: number;
  /** `hits / (hits + misses)`, `0` before any read. */
  hitRatio: number;
  /** Entries held, where the backend knows it. */
  entries?: number;
  /** Bytes held, where the backend knows it. */
  bytes?: number;
  /** Backend-specific figures (for example the directory of a file cache). */
  [extra: string]: unknown;
}

/** Counters of one cache's own traffic. Plain numbers: cheap enough for hot paths. */
export class CacheStats {
  hits = 0;
  misses = 0;
  sets = 0;
  deletes = 0;
  evictions = 0;
  /** The evictions split by cause; {@link CacheStats.evicted} counts both. */
  readonly evictionsByCause: EvictionsByCause = { capacity: 0, size: 0, expired: 0 };
  expirations = 0;
  errors = 0;
  readonly #extra: (() => Record<string, unknown>) | undefined;

  /** @param extra - Adds backend figures (`entries`, `bytes`, ...) to each snapshot. */
  constructor(extra?: () => Record<string, unknown>) {
    this.#extra = extra;
  }

  /** `hits / (hits + misses)`, `0` before any read. */
  get hitRatio(): number {
    const reads = this.hits + this.misses;
    return reads === 0 ? 0 : this.hits / reads;
  }

  /** Counts one eviction of the given cause. */
  evicted(cause: EvictReason): void {
    this.evictions++;
    this.evictionsByCause[cause]++;
  }

  /** A plain object with every counter, the hit ratio and the backend's figures. */
  snapshot(): CacheStatsSnapshot {
    return {
      hits: this.hits,
      misses: this.misses,
      sets: this.sets,
      deletes: this.deletes,
      evictions: this.evictions,
      evictionsByCause: { ...this.evictionsByCause },
      expirations: this.expirations,
      errors: this.errors,
      hitRatio: this.hitRatio,
      ...this.#extra?.(),
    };
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.hits = this.misses = this.sets = this.deletes = this.evictions = this.expirations = this.errors = 0;
    this.evictionsByCause.capacity = this.evictionsByCause.size = this.evictionsByCause.expired = 0;
  }
}
