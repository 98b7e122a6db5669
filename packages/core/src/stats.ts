/** A plain copy of the counters of a {@link CacheStats}. */
export interface CacheStatsSnapshot {
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  evictions: number;
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

  /** A plain object with every counter, the hit ratio and the backend's figures. */
  snapshot(): CacheStatsSnapshot {
    return {
      hits: this.hits,
      misses: this.misses,
      sets: this.sets,
      deletes: this.deletes,
      evictions: this.evictions,
      expirations: this.expirations,
      errors: this.errors,
      hitRatio: this.hitRatio,
      ...this.#extra?.(),
    };
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.hits = this.misses = this.sets = this.deletes = this.evictions = this.expirations = this.errors = 0;
  }
}
