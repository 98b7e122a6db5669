/**
 * `toKeyvStore`: any `Cache` as a keyv storage adapter, for Keyv, cacheable and cache-manager.
 *
 * keyv 5 owns the key layout: it prefixes every key with its namespace (`keyv:` by default) and
 * also sets `store.namespace`. The adapter stores keys exactly as keyv gives them and uses the
 * namespace only to scope `clear()` and `iterator()`, so keys are never prefixed twice
 * (keyv#1274). Values are stored as keyv hands them (its serialized string, or the raw object
 * with `serialize: undefined`); nothing is ever tested for truthiness, so `0`, `''` and `false`
 * are values and only `undefined` is a miss.
 */
import { type Cache, CacheConfigError } from '@cache/core';

/** Options of {@link toKeyvStore}. */
export interface KeyvStoreOptions {
  /** `disconnect()` (keyv's, cacheable's or cache-manager's) also closes the cache. @default false */
  closeOnDisconnect?: boolean | undefined;
}

/** A keyv 5 storage adapter (`KeyvStoreAdapter`) over a `Cache`. */
export interface CacheKeyvStore {
  /**
   * What keyv reads of a store's options. keyv 5 exposes `Keyv.iterator` only for the dialects
   * it lists, and reads `opts.url` when the dialect is not one of them; the adapter declares the
   * `redis` dialect, whose iteration it follows (keys as stored, with their namespace).
   */
  readonly opts: { dialect: 'redis'; url: string };
  /**
   * Set by keyv 5: the namespace that `clear()` and `iterator()` are limited to. Absent until
   * then, so that keyv 6's bridge prefixes keys itself (`namespace::key`) and never sets it.
   */
  namespace?: string | undefined;
  /** The cache behind the adapter. */
  readonly cache: Cache;
  // keyv's own type has the store return keyv's stored data for any value type: `any` is its shape.
  // biome-ignore lint/suspicious/noExplicitAny: assignable to keyv's generic KeyvStoreAdapter
  get(key: string): Promise<any>;
  // biome-ignore lint/suspicious/noExplicitAny: assignable to keyv's generic KeyvStoreAdapter
  getMany(keys: string[]): Promise<any[]>;
  has(key: string): Promise<boolean>;
  hasMany(keys: string[]): Promise<boolean[]>;
  /** `ttl` in ms; `undefined` or `0` means none. */
  set(key: string, value: unknown, ttl?: number): Promise<boolean>;
  setMany(entries: { key: string; value: unknown; ttl?: number }[]): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** `true` when every key was there and is now removed. */
  deleteMany(keys: string[]): Promise<boolean>;
  /** Removes the keys of `namespace` when keyv set one, else every key of the cache. */
  clear(): Promise<void>;
  /** Yields `[key, value]` for the live keys of `namespace` (all keys without one). */
  // biome-ignore lint/suspicious/noExplicitAny: assignable to keyv's generic KeyvStoreAdapter
  iterator(namespace?: string): AsyncGenerator<[string, any], void>;
  disconnect(): Promise<void>;
  /** Forwards the cache's `error` events (keyv listens for them). */
  on(event: string, listener: (...args: unknown[]) => void): CacheKeyvStore;
}

const BATCH = 100;

/** A keyv TTL as set options: `undefined`, `0` and non-numbers mean no TTL. */
function ttlOptions(ttl: unknown): { ttl: number } | undefined {
  return typeof ttl === 'number' && ttl > 0 ? { ttl } : undefined;
}

/**
 * A keyv 5 storage adapter over `cache`: `new Keyv({ store: toKeyvStore(cache) })`, cacheable's
 * `primary`/`secondary`, cache-manager's `stores`. keyv 6 takes it through its bridge
 * (`KeyvBridgeAdapter`), which turns expiry times into TTLs and prefixes keys itself. Give
 * each Keyv instance its own adapter (the adapter is cheap; the cache can be shared): keyv sets
 * the adapter's `namespace`, so one adapter shared by Keyv instances of different namespaces
 * would clear the namespace of whichever was made last (keyv#1142).
 *
 * @example
 * const keyv = new Keyv({ store: toKeyvStore(await createCache('redis://127.0.0.1:6379')) });
 * @throws CacheConfigError when `cache` is not a cache.
 */
export function toKeyvStore(cache: Cache, options: KeyvStoreOptions = {}): CacheKeyvStore {
  if (
    cache === null ||
    typeof cache !== 'object' ||
    typeof cache.get !== 'function' ||
    typeof cache.keys !== 'function'
  )
    throw new CacheConfigError('toKeyvStore takes a Cache');
  const closeOnDisconnect = options.closeOnDisconnect ?? false;
  if (typeof closeOnDisconnect !== 'boolean')
    throw new CacheConfigError('closeOnDisconnect must be a boolean');
  const scope = (namespace: string | undefined) => (namespace ? { prefix: `${namespace}:` } : undefined);

  const store: CacheKeyvStore = {
    opts: { dialect: 'redis', url: `cache://${cache.name}` },
    // No `namespace` until keyv 5 sets one: keyv 6's bridge then prefixes keys itself (`ns::key`)
    // instead of handing the adapter unprefixed keys to scope.
    cache,
    // Every method is an `async` function: keyv 6 takes such an object for a full storage
    // adapter and bridges it (relative TTLs, its own prefixes) without probing it first.
    async get(key) {
      return cache.get(key);
    },
    async getMany(keys) {
      return cache.getMany(keys);
    },
    async has(key) {
      return cache.has(key);
    },
    async hasMany(keys) {
      return Promise.all(keys.map((key) => cache.has(key)));
    },
    async set(key, value, ttl) {
      await cache.set(key, value, ttlOptions(ttl));
      return true;
    },
    async setMany(entries) {
      await Promise.all(entries.map(({ key, value, ttl }) => cache.set(key, value, ttlOptions(ttl))));
    },
    async delete(key) {
      return cache.delete(key);
    },
    async deleteMany(keys) {
      return (await cache.deleteMany(keys)) === new Set(keys).size;
    },
    async clear() {
      await cache.clear(scope(store.namespace));
    },
    async *iterator(namespace) {
      let keys: string[] = [];
      const flush = async function* () {
        const values = await cache.getMany(keys);
        for (let i = 0; i < keys.length; i++) {
          const value = values[i];
          if (value !== undefined) yield [keys[i] as string, value] as [string, unknown];
        }
        keys = [];
      };
      for await (const key of cache.keys(scope(namespace ?? store.namespace))) {
        keys.push(key);
        if (keys.length === BATCH) yield* flush();
      }
      yield* flush();
    },
    async disconnect() {
      if (closeOnDisconnect) await cache.close();
    },
    on(event, listener) {
      if (event === 'error') cache.on('error', ({ error }) => listener(error));
      return store;
    },
  };
  return store;
}
