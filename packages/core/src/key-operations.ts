/**
 * The operations of `BaseCache` other than the hot `get` and `set` and the many-key ones
 * (many-keys.ts): `getOrThrow`, `getEntry` and `has` over the cache's checked read, `add`,
 * `delete`, and the prefix operations `keys` and `clear`. Each checks its arguments, calls the
 * primitives, counts and reports as `get` and `set` do in base-cache.ts, and is traced here
 * (diagnostics.ts). The cache is seen through a {@link KeyOperationsHost}, its primitives and
 * reporting seen from outside.
 */
import { type ClassifyHost, invalidatedByTag } from './classify-entry.js';
import { cacheTracing, traceCacheOperation } from './diagnostics.js';
import type { StoredEntry } from './entry.js';
import { CacheErrorCode, CacheExpiredError, CacheKeyError } from './errors.js';
import type { Lookup } from './factory-runner.js';
import { validatePrefixOptions } from './options.js';
import type { CacheEntryInfo, CacheEventName, CacheListener, PrefixOptions, SetOptions } from './types.js';

/** What these operations need of their cache. */
export interface KeyOperationsHost<V> extends ClassifyHost<V> {
  /** The cache's name, for traces. */
  readonly name: string;
  /** The single-key read of `get`: checks the key, reads and classifies its entry. */
  lookup(key: string): Promise<Lookup<V>>;
  /** `BaseCache.checkKey`. */
  checkKey(key: string): void;
  /** `BaseCache.checkOpen`. */
  checkOpen(): void;
  /** `BaseCache.buildEntry`. */
  buildEntry(value: V, options: SetOptions | undefined): StoredEntry<V>;
  /** `BaseCache.describeEntry`. */
  describeEntry(key: string, entry: StoredEntry<V>): CacheEntryInfo<V>;
  /** `BaseCache.readEntry`. */
  readEntry(key: string): Promise<StoredEntry<V> | undefined>;
  /** `BaseCache.addEntry`. */
  addEntry(key: string, entry: StoredEntry<V>): Promise<boolean>;
  /** `BaseCache.removeEntry`. */
  removeEntry(key: string): Promise<boolean>;
  /** `BaseCache.scanKeys`. */
  scanKeys(prefix: string | undefined): AsyncIterable<string>;
  /** `BaseCache.clearEntries`. */
  clearEntries(prefix: string | undefined): Promise<void>;
  /** `BaseCache.emit`. */
  emit<E extends CacheEventName>(event: E, payload: Parameters<CacheListener<E>>[0]): void;
  /** Counts a hit or a miss, with its event. */
  count(key: string, hit: boolean): void;
  /** Reports a backend failure and throws it as a `CacheError`. */
  fail(error: unknown, key?: string): never;
}

/** `getOrThrow`: the value of a fresh entry, else a `CacheExpiredError` (stale) or `CacheKeyError`. */
export function getOrThrow<V, T extends V>(host: KeyOperationsHost<V>, key: string): Promise<T> {
  if (cacheTracing.getOrThrow.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'getOrThrow', key }, () =>
      readOrThrow<V, T>(host, key),
    );
  return readOrThrow<V, T>(host, key);
}

async function readOrThrow<V, T extends V>(host: KeyOperationsHost<V>, key: string): Promise<T> {
  const found = await host.lookup(key);
  host.count(key, found?.state === 'fresh');
  if (found?.state === 'fresh') return found.entry.value as T;
  if (found?.state === 'stale') throw new CacheExpiredError(`key has expired`, { key });
  throw new CacheKeyError(`key not found`, { key }, CacheErrorCode.keyMissing);
}

/** `getEntry`: what the backend describes of a fresh entry. */
export function getEntry<V, T extends V>(
  host: KeyOperationsHost<V>,
  key: string,
): Promise<CacheEntryInfo<T> | undefined> {
  if (cacheTracing.getEntry.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'getEntry', key }, () =>
      readEntryInfo<V, T>(host, key),
    );
  return readEntryInfo<V, T>(host, key);
}

async function readEntryInfo<V, T extends V>(
  host: KeyOperationsHost<V>,
  key: string,
): Promise<CacheEntryInfo<T> | undefined> {
  const found = await host.lookup(key);
  const hit = found?.state === 'fresh';
  host.count(key, hit);
  return hit ? (host.describeEntry(key, found.entry) as CacheEntryInfo<T>) : undefined;
}

/** `has`: whether the key holds a fresh entry; counts nothing. */
export function has<V>(host: KeyOperationsHost<V>, key: string): Promise<boolean> {
  if (cacheTracing.has.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'has', key }, () => isFresh(host, key));
  return isFresh(host, key);
}

async function isFresh<V>(host: KeyOperationsHost<V>, key: string): Promise<boolean> {
  return (await host.lookup(key))?.state === 'fresh';
}

/** `add`: writes only when the key is absent (an entry invalidated by a tag counts as absent). */
export function add<V>(
  host: KeyOperationsHost<V>,
  key: string,
  value: V,
  options: SetOptions | undefined,
): Promise<boolean> {
  if (cacheTracing.add.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'add', key }, () =>
      addIfAbsent(host, key, value, options),
    );
  return addIfAbsent(host, key, value, options);
}

async function addIfAbsent<V>(
  host: KeyOperationsHost<V>,
  key: string,
  value: V,
  options: SetOptions | undefined,
): Promise<boolean> {
  host.checkKey(key);
  const entry = host.buildEntry(value, options);
  let added: boolean;
  try {
    const existing = await host.readEntry(key);
    if (existing && existing.tags.length > 0 && (await invalidatedByTag(host, existing))) {
      await host.removeDeadEntry(key, existing);
    }
    added = await host.addEntry(key, entry);
  } catch (error) {
    host.fail(error, key);
  }
  if (added) {
    host.stats.sets++;
    host.emit('set', { key });
  }
  return added;
}

/** `delete`: removes the entry of a key; reports whether a live one existed. */
export function deleteKey<V>(host: KeyOperationsHost<V>, key: string): Promise<boolean> {
  if (cacheTracing.delete.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'delete', key }, () => removeKey(host, key));
  return removeKey(host, key);
}

async function removeKey<V>(host: KeyOperationsHost<V>, key: string): Promise<boolean> {
  host.checkKey(key);
  let removed: boolean;
  try {
    removed = await host.removeEntry(key);
  } catch (error) {
    host.fail(error, key);
  }
  if (removed) {
    host.stats.deletes++;
    host.emit('delete', { key });
  }
  return removed;
}

/** `keys`: the live keys, only those under the prefix when given. */
export async function* listKeys<V>(
  host: KeyOperationsHost<V>,
  options: PrefixOptions | undefined,
): AsyncIterable<string> {
  const prefix = validatePrefixOptions(options, 'keys');
  host.checkOpen();
  try {
    yield* host.scanKeys(prefix);
  } catch (error) {
    host.fail(error);
  }
}

/** `clear`: removes every entry the cache owns, only those under the prefix when given. */
export function clearPrefix<V>(
  host: KeyOperationsHost<V>,
  options: PrefixOptions | undefined,
): Promise<void> {
  if (cacheTracing.clear.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'clear' }, () => clearOwned(host, options));
  return clearOwned(host, options);
}

async function clearOwned<V>(host: KeyOperationsHost<V>, options: PrefixOptions | undefined): Promise<void> {
  const prefix = validatePrefixOptions(options, 'clear');
  host.checkOpen();
  try {
    await host.clearEntries(prefix);
  } catch (error) {
    host.fail(error);
  }
  host.emit('clear', { prefix });
}
