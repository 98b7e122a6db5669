import { BaseCache, type BaseCacheOptions, isLive, type StoredEntry } from '@cache/core';

/**
 * The simplest backend: a `Map` of entries, no limits. A reference for tests of `BaseCache`
 * and of compositions; not for production (no eviction, no sweep).
 */
export class MapCache<V = unknown> extends BaseCache<V> {
  readonly entries = new Map<string, StoredEntry<V>>();
  readonly #tags = new Map<string, number>();

  constructor(options: BaseCacheOptions = {}) {
    super(options, 'map');
  }

  protected async readEntry(key: string): Promise<StoredEntry<V> | undefined> {
    return this.entries.get(key);
  }
  protected async writeEntry(key: string, entry: StoredEntry<V>): Promise<void> {
    this.entries.set(key, entry);
  }
  protected async addEntry(key: string, entry: StoredEntry<V>): Promise<boolean> {
    const existing = this.entries.get(key);
    if (existing && isLive(existing, this.now())) return false;
    this.entries.set(key, entry);
    return true;
  }
  protected async removeEntry(key: string): Promise<boolean> {
    const existing = this.entries.get(key);
    this.entries.delete(key);
    return existing !== undefined && isLive(existing, this.now());
  }
  protected async *scanKeys(prefix: string | undefined): AsyncIterable<string> {
    const now = this.now();
    for (const [key, entry] of [...this.entries]) {
      if ((prefix === undefined || key.startsWith(prefix)) && isLive(entry, now)) yield key;
    }
  }
  protected async clearEntries(prefix: string | undefined): Promise<void> {
    if (prefix === undefined) this.entries.clear();
    else for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }
  protected async readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]> {
    return tags.map((tag) => this.#tags.get(tag));
  }
  protected async writeTagInvalidations(tags: readonly string[], at: number): Promise<void> {
    for (const tag of tags) this.#tags.set(tag, at);
  }
  protected override statsExtra(): Record<string, unknown> {
    return { entries: this.entries.size };
  }
}
