/**
 * `fromKeyv`: a `Cache` over any keyv store (or a `Keyv`), storing the toolkit's envelope.
 *
 * Each entry is the envelope of core (value bytes by the serializer, createdAt, expiry, stale
 * window, tags) as base64 text under `e:<key>`; each tag's last invalidation time is a number
 * under `t:<tag>`. keyv adds its namespace in front and expires rows by their physical expiry
 * (the end of the stale window), so stale windows and tags work on every keyv store. What a keyv
 * store cannot do is declared in {@link KeyvCache.capabilities}.
 */
import {
  CacheConfigError,
  CacheError,
  CacheSerializationError,
  jsonSerializer,
  type Serializer,
} from '@cache/core';
import {
  assertSerializer,
  BaseCache,
  type BaseCacheOptions,
  checkOptionNames,
  BASE_CACHE_OPTIONS,
  decodeEnvelope,
  encodeEnvelope,
  isLive,
  physicalExpiry,
  type StoredEntry,
} from '@cache/core/backend';
import Keyv, { type KeyvStoreAdapter } from 'keyv';

/**
 * Options of {@link fromKeyv}: the base options of every cache, the serializer and the namespace.
 * No `clock`: keyv expires rows by its own clock (`Date.now()`), as Redis does by the server's.
 */
export interface KeyvCacheOptions extends BaseCacheOptions {
  /** Turns values into the bytes of the envelope. @default core's typed JSON (`jsonSerializer`) */
  serializer?: Serializer | undefined;
  /** The namespace of the `Keyv` made over a store (not used when a `Keyv` is given). @default 'cache' */
  namespace?: string | undefined;
}

/** What a cache over a keyv store can do, which depends on the store. */
export interface KeyvCacheCapabilities {
  /** `keys()`, `clear({ prefix })` and `deleteMatching` work: the Keyv can iterate its store. */
  readonly scan: boolean;
  /** `add` is atomic across processes: never (a read, then a write; atomic within a process only). */
  readonly atomicAdd: false;
  /** `getOrSet({ lock })` holds across processes: never (single-flight within a process only). */
  readonly sharedLocks: false;
}

const ENTRY = 'e:';
const TAG = 't:';
const KNOWN = new Set([...BASE_CACHE_OPTIONS, 'serializer', 'namespace']);

/**
 * A `Keyv` of keyv 5 or 6 (of this copy of keyv or another one): it has hooks, a store and
 * `getRaw`; keyv 6's own adapters (its bridge, its Map adapter) have hooks and a store but no
 * `getRaw`, and keyv 5 stores have neither.
 */
function isKeyv(value: object): value is Keyv {
  return (
    value instanceof Keyv ||
    ('hooks' in value &&
      'store' in value &&
      ('opts' in value || typeof (value as { getRaw?: unknown }).getRaw === 'function'))
  );
}

/** What keyv 6 storage adapters say of themselves (`KeyvStorageCapability`), as far as read here. */
interface StorageAdapterShape {
  readonly iterator?: unknown;
  /** The store a keyv 6 wrapper (its bridge, its Map adapter) wraps. */
  readonly store?: { readonly entries?: unknown } | null;
  readonly capabilities?: {
    readonly store?: string;
    readonly methods?: { readonly iterator?: { readonly exists?: boolean } };
  };
}

/**
 * Whether `keyv` can iterate its store. keyv 5 sets `iterator` on the instance only for a store it
 * can iterate (a Map or a dialect it knows). keyv 6 has the method always and iterates what its
 * storage adapter can: an adapter's capabilities say whether it (or, for keyv's bridge, the store
 * it wraps) has an iterator, and keyv's Map adapter iterates a map-like store through `entries()`.
 */
function canIterate(keyv: Keyv): boolean {
  if (typeof keyv.iterator !== 'function') return false;
  if (Object.hasOwn(keyv, 'iterator')) return true;
  const adapter = (keyv as { store?: unknown }).store as StorageAdapterShape | null | undefined;
  if (adapter === null || typeof adapter !== 'object') return false;
  const capabilities = adapter.capabilities;
  if (capabilities === undefined) return typeof adapter.iterator === 'function';
  if (capabilities.methods?.iterator?.exists === true) return true;
  const inner = adapter.store;
  return (
    capabilities.store === 'mapLike' &&
    inner !== null &&
    typeof inner === 'object' &&
    typeof inner.entries === 'function'
  );
}

/**
 * A `Cache` over a keyv store. Made by {@link fromKeyv}.
 */
export class KeyvCache<V = unknown> extends BaseCache<V> {
  /** The Keyv every operation goes through. */
  readonly keyv: Keyv;
  /** What this cache can do over its store. */
  readonly capabilities: KeyvCacheCapabilities;
  readonly #serializer: Serializer;
  /** Per-key queues: `add` reads then writes, one at a time per key in this process. */
  readonly #adding = new Map<string, Promise<unknown>>();

  constructor(store: Keyv | KeyvStoreAdapter | Map<unknown, unknown>, options: KeyvCacheOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw new CacheConfigError('options must be an object');
    checkOptionNames(options, KNOWN, 'fromKeyv');
    super(options, 'keyv');
    const serializer = options.serializer ?? jsonSerializer;
    assertSerializer(serializer);
    this.#serializer = serializer;
    if (store === null || typeof store !== 'object' || typeof (store as { get?: unknown }).get !== 'function')
      throw new CacheConfigError('fromKeyv takes a Keyv, a keyv store or a Map');
    if (isKeyv(store)) {
      if (options.namespace !== undefined)
        throw new CacheConfigError('namespace is for a store; a Keyv has its own namespace');
      this.keyv = store;
    } else {
      const namespace = options.namespace ?? 'cache';
      if (typeof namespace !== 'string' || namespace === '')
        throw new CacheConfigError('namespace must be a non-empty string');
      // Store errors reject (keyv's default turns them into misses and `false`).
      this.keyv = new Keyv({ store: store as KeyvStoreAdapter, namespace, throwOnErrors: true });
    }
    this.capabilities = {
      scan: canIterate(this.keyv),
      atomicAdd: false,
      sharedLocks: false,
    };
  }

  #encode(key: string, entry: StoredEntry<V>): string {
    return encodeEnvelope(entry, this.#serializer, key).toString('base64');
  }

  /** Decodes a stored row; a row that is not this key's envelope is removed and reported. */
  async #decode(key: string, raw: unknown): Promise<StoredEntry<V> | undefined> {
    if (raw === undefined || raw === null) return undefined;
    try {
      if (typeof raw !== 'string') throw new CacheSerializationError('stored row is not envelope text');
      const entry = decodeEnvelope<V>(Buffer.from(raw, 'base64'), this.#serializer);
      if (entry.key !== key) throw new CacheSerializationError('stored row belongs to another key');
      return entry;
    } catch (cause) {
      // Not atomic: a write between the read and this check survives unless it wrote the same text.
      if ((await this.keyv.get(ENTRY + key)) === raw) await this.keyv.delete(ENTRY + key);
      this.reportError(
        new CacheSerializationError('a stored entry could not be decoded; it was removed', { cause, key }),
        key,
      );
      return undefined;
    }
  }

  protected async readEntry(key: string): Promise<StoredEntry<V> | undefined> {
    return this.#decode(key, await this.keyv.get(ENTRY + key));
  }

  protected override async readEntries(keys: readonly string[]): Promise<(StoredEntry<V> | undefined)[]> {
    const raws = await this.keyv.get<unknown>(keys.map((key) => ENTRY + key));
    return Promise.all(keys.map((key, i) => this.#decode(key, raws[i])));
  }

  protected async writeEntry(key: string, entry: StoredEntry<V>): Promise<void> {
    const until = physicalExpiry(entry);
    const ttl = until === undefined ? undefined : Math.max(1, until - this.now());
    await this.#write(ENTRY + key, this.#encode(key, entry), ttl);
  }

  /** A keyv write; `false` (a Keyv that swallows store errors says so) fails the write. */
  async #write(stored: string, value: unknown, ttl?: number): Promise<void> {
    if (!(await this.keyv.set(stored, value, ttl)))
      throw new CacheError(`the keyv store did not take the write of ${JSON.stringify(stored)}`);
  }

  protected async addEntry(key: string, entry: StoredEntry<V>): Promise<boolean> {
    const previous = this.#adding.get(key) ?? Promise.resolve();
    const run = previous.then(async () => {
      const existing = await this.readEntry(key);
      if (existing !== undefined && isLive(existing, this.now())) return false;
      await this.writeEntry(key, entry);
      return true;
    });
    const settled = run.catch(() => undefined);
    this.#adding.set(key, settled);
    void settled.then(() => {
      if (this.#adding.get(key) === settled) this.#adding.delete(key);
    });
    return run;
  }

  protected async removeEntry(key: string): Promise<boolean> {
    const raw = await this.keyv.get(ENTRY + key);
    if (raw === undefined) return false;
    // Of concurrent removals, only the one whose delete removed the row reports the entry.
    if (!(await this.keyv.delete(ENTRY + key))) return false;
    try {
      const entry =
        typeof raw === 'string' ? decodeEnvelope(Buffer.from(raw, 'base64'), this.#serializer) : undefined;
      return entry !== undefined && entry.key === key && isLive(entry, this.now());
    } catch {
      return false;
    }
  }

  #iterator(): AsyncGenerator<[string, unknown]> {
    const iterator = this.keyv.iterator;
    if (typeof iterator !== 'function')
      throw new CacheConfigError(
        `cache ${this.name}: keys(), clear({ prefix }) and deleteMatching need a keyv store that keyv can iterate (a Map, @keyv/redis, sqlite, postgres, mysql, mongo, valkey, etcd)`,
      );
    return (iterator as () => AsyncGenerator<[string, unknown]>).call(this.keyv);
  }

  protected async *scanKeys(prefix: string | undefined): AsyncIterable<string> {
    const start = ENTRY + (prefix ?? '');
    const now = this.now();
    for await (const [stored, raw] of this.#iterator()) {
      if (!stored.startsWith(start) || typeof raw !== 'string') continue;
      const key = stored.slice(ENTRY.length);
      try {
        const entry = decodeEnvelope(Buffer.from(raw, 'base64'), this.#serializer);
        if (entry.key === key && isLive(entry, now)) yield key;
      } catch {
        // An undecodable row is no live key; the next read of it removes and reports it.
      }
    }
  }

  protected async clearEntries(prefix: string | undefined): Promise<void> {
    // Where keyv can iterate, only this namespace's rows go: keyv's own clear() empties a whole Map
    // (and any store that does not scope clear() by namespace), neighbours included.
    if (prefix === undefined && !this.capabilities.scan) return this.keyv.clear();
    const doomed: string[] = [];
    for await (const [stored] of this.#iterator())
      if (
        prefix === undefined
          ? stored.startsWith(ENTRY) || stored.startsWith(TAG)
          : stored.startsWith(ENTRY + prefix)
      )
        doomed.push(stored);
    if (doomed.length > 0) await this.keyv.delete(doomed);
  }

  protected async readTagInvalidations(tags: readonly string[]): Promise<(number | undefined)[]> {
    const times = await this.keyv.get<unknown>(tags.map((tag) => TAG + tag));
    return times.map((at) => (typeof at === 'number' ? at : undefined));
  }

  protected async writeTagInvalidations(tags: readonly string[], at: number): Promise<void> {
    await Promise.all(tags.map((tag) => this.#write(TAG + tag, at)));
  }
}

/**
 * A `Cache` over a keyv store: a `Keyv` (keyv 5 or 6), any keyv storage adapter (`@keyv/redis`,
 * `@keyv/sqlite`, ...) or a `Map`; over a store it makes a `Keyv` of the keyv the application has. Entries keep the toolkit's envelope, so TTLs, stale windows and tags work on
 * every store; `capabilities` says what the store cannot do (`keys()`, `clear({ prefix })` and
 * `deleteMatching` need a store keyv can iterate; `add` and locks hold within a process only).
 *
 * @example
 * const cache = fromKeyv(new KeyvRedis('redis://127.0.0.1:6379'));
 * await cache.set('user:42', { name: 'Ada' }, { ttl: '5m', tags: ['users'] });
 * @throws CacheConfigError for a value that is not a keyv store, or bad options.
 */
export function fromKeyv<V = unknown>(
  store: Keyv | KeyvStoreAdapter | Map<unknown, unknown>,
  options?: KeyvCacheOptions,
): KeyvCache<V> {
  return new KeyvCache<V>(store, options);
}
