import { BaseCache, type BaseCacheOptions, isLive, type StoredEntry } from '@cache/core/backend';

/** The protected primitives of {@link MapCache} that {@link MapCache.failWith} can make fail. */
export type MapCachePrimitive =
  | 'readEntry'
  | 'writeEntry'
  | 'addEntry'
  | 'removeEntry'
  | 'removeEntries'
  | 'removeMatching'
  | 'scanKeys'
  | 'clearEntries'
  | 'readTagInvalidations'
  | 'writeTagInvalidations';

/**
 * The simplest backend: a `Map` of entries, no limits. A reference for tests of `BaseCache`
 * and of compositions; not for production (no eviction, no sweep). {@link MapCache.failWith}
 * makes its primitives fail like a broken store, for fault tests of what `BaseCache` does with
 * backend errors.
 */
export class MapCache<V = unknown> extends BaseCache<V> {
  readonly entries = new Map<string, StoredEntry<V>>();
  readonly #tags = new Map<string, number>();
  #fault: { error: () => unknown; primitives: ReadonlySet<string> | undefined } | undefined;

  constructor(options: BaseCacheOptions = {}) {
    super(options, 'map');
  }

  /**
   * From now on, the named primitives (all when `primitives` is absent) throw `error` (a
   * function is called for a fresh error each time) before touching the map; `undefined` heals.
   */
  failWith(error: unknown, primitives?: readonly MapCachePrimitive[]): void {
    this.#fault =
      error === undefined
        ? undefined
        : {
            error: typeof error === 'function' ? (error as () => unknown) : () => error,
            primitives: primitives === undefined ? undefined : new Set(primitives),
          };
  }

  #check(primitive: MapCachePrimitive): void {
    const fault = this.#fault;
    if (fault && (fault.primitives === undefined || fault.primitives.has(primitive))) throw fault.error();
  }

  protected async readEntry(key: string): Promise<StoredEntry<V> | undefined> {
    this.#check('readEntry');
    return this.entries.get(key);
  }
  protected async writeEntry(key: string, entry: StoredEntry<V>): Promise<void> {
    this.#check('writeEntry');
    this.entries.set(key, entry);
  }
  protected async addEntry(key: string, entry: StoredEntry<V>): Promise<boolean> {
    this.#check('addEntry');
    const existing = this.entries.get(key);
    if (existing && isLive(existing, this.now())) return false;
    this.entries.set(key, entry);
    return true;
  }
  protected async removeEntry(key: string): Promise<boolean> {
    this.#check('removeEntry');
    const existing = this.entries.get(key);
    this.entries.delete(key);
    return existing !== undefined && isLive(existing, this.now());
  }
  protected override async removeEntries(keys: readonly string[]): Promise<string[] | number> {
    this.#check('removeEntries');
    return super.removeEntries(keys);
  }
  protected override async removeMatching(pattern: string): Promise<string[] | number> {
    this.#check('removeMatching');
    return super.removeMatching(pattern);
  }
  protected async *scanKeys(prefix: string | undefined): AsyncIterable<string> {
    this.#check('scanKeys');
    const now = this.now();
    for (const [key, entry] of [...this.entries]) {
      if ((prefix === undefined || key.startsWith(prefix)) && isLive(entry, now)) yield key;
    }
  }
  protected async clearEntries(prefix: string | undefined): Promise<void> {
    this.#check('clearEntries');
    if (prefix === undefined) this.entries.clear();
    else for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }
  protected async readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]> {
    this.#check('readTagInvalidations');
    return tags.map((tag) => this.#tags.get(tag));
  }
  protected async writeTagInvalidations(tags: readonly string[], at: number): Promise<void> {
    this.#check('writeTagInvalidations');
    for (const tag of tags) this.#tags.set(tag, at);
  }
  protected override statsExtra(): Record<string, unknown> {
    return { entries: this.entries.size };
  }
}
