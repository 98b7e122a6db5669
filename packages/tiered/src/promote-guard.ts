/**
 * The promote-race guard: a value read from L2 (or computed) is installed in L1 only when its key
 * was not invalidated, here or by a bus message, after the read began. Invalidations of one key
 * are remembered only while a read of that key is in flight; broad ones (clear, a pattern, tags,
 * a flush) by one counter.
 */
export class PromoteGuard {
  #tick = 0;
  #broadAt = 0;
  /** Per key: reads in flight and the tick of the key's latest invalidation since. */
  readonly #reading = new Map<string, { readers: number; invalidatedAt: number }>();

  /** Marks the start of a read of `key`; pass the token to {@link end}. */
  begin(key: string): number {
    const entry = this.#reading.get(key);
    if (entry) entry.readers++;
    else this.#reading.set(key, { readers: 1, invalidatedAt: 0 });
    return ++this.#tick;
  }

  /** Ends a read; true when its value may be installed in L1 (nothing invalidated it since `begin`). */
  end(key: string, token: number): boolean {
    const entry = this.#reading.get(key);
    const invalidatedAt = entry?.invalidatedAt ?? 0;
    if (entry && --entry.readers === 0) this.#reading.delete(key);
    return invalidatedAt < token && this.#broadAt < token;
  }

  /** Whether a read that began with `token` would still be installed (it is not ended). */
  valid(key: string, token: number): boolean {
    return (this.#reading.get(key)?.invalidatedAt ?? 0) < token && this.#broadAt < token;
  }

  /** One key was invalidated (written, deleted, or dropped by a message). */
  invalidate(key: string): void {
    const entry = this.#reading.get(key);
    if (entry) entry.invalidatedAt = ++this.#tick;
  }

  /** Anything may have been invalidated (clear, a pattern, tags, a flush). */
  invalidateAll(): void {
    this.#broadAt = ++this.#tick;
  }
}
