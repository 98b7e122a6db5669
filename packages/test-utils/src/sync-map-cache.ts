import {
  type BaseCacheOptions,
  isLive,
  physicalExpiry,
  type StoredEntry,
  SyncCache,
} from '@cache/core/backend';

/**
 * The simplest in-process backend on `SyncCache`: a `Map` of entries, no limits. A reference for
 * tests of what `SyncCache` derives (the synchronous API, the async contract, the generic paths);
 * not for production (no eviction, no sweep).
 */
export class SyncMapCache<V = unknown> extends SyncCache<V> {
  readonly entries = new Map<string, StoredEntry<V>>();

  constructor(options: BaseCacheOptions = {}) {
    super(options, 'sync-map');
  }

  /** The live entry of `key`; an entry past its physical expiry is removed and reported. */
  #live(key: string): StoredEntry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.now();
    if (isLive(entry, now)) return entry;
    const until = physicalExpiry(entry);
    if (until !== undefined && now >= until) {
      this.entries.delete(key);
      this.reportExpiration(key);
    }
    return undefined;
  }

  #touch(entry: StoredEntry<V>): void {
    entry.hits = (entry.hits ?? 0) + 1;
    entry.lastAccessAt = this.now();
  }

  protected readValue(key: string): V | undefined {
    const entry = this.#live(key);
    if (entry === undefined) return undefined;
    this.#touch(entry);
    return entry.value;
  }
  protected peekValue(key: string): V | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && isLive(entry, this.now()) ? entry.value : undefined;
  }
  protected hasEntrySync(key: string): boolean {
    return this.#live(key) !== undefined;
  }
  protected storeValue(key: string, value: V, ttl: number | undefined, tags: readonly string[]): void {
    const now = this.now();
    this.entries.set(key, {
      value,
      createdAt: now,
      expiresAt: ttl === undefined ? undefined : now + ttl,
      tags,
    });
  }
  protected readEntrySync(key: string): StoredEntry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && isLive(entry, this.now())) this.#touch(entry);
    return entry;
  }
  protected writeEntrySync(key: string, entry: StoredEntry<V>): void {
    this.entries.set(key, entry);
  }
  protected removeEntrySync(key: string): boolean {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return entry !== undefined && isLive(entry, this.now());
  }
  protected *scanKeysSync(prefix: string | undefined): Iterable<string> {
    for (const [key, entry] of [...this.entries]) {
      if ((prefix === undefined || key.startsWith(prefix)) && isLive(entry, this.now())) yield key;
    }
  }
  protected clearEntriesSync(prefix: string | undefined): void {
    if (prefix === undefined) this.entries.clear();
    else for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }
  protected removeTagged(tags: readonly string[]): void {
    for (const [key, entry] of [...this.entries])
      if (entry.tags.some((tag) => tags.includes(tag))) this.entries.delete(key);
  }
  protected override async closeBackend(): Promise<void> {
    this.entries.clear();
  }
  protected override statsExtra(): Record<string, unknown> {
    return { entries: this.entries.size };
  }
}
