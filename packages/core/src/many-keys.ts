/**
 * The many-key operations of `BaseCache` (`getMany`, `setMany`, `deleteMany`) with their argument
 * checks and traces: building and checking the entries of a `setMany`, classifying and counting
 * each key of a `getMany`, and the generic fallbacks of the many-key primitives (one call per key,
 * or a scan and a glob) for backends without a native round trip. The cache is seen through a
 * {@link ManyKeysHost}, its primitives and reporting seen from outside.
 */
import { type ClassifyHost, classifyEntry } from './classify-entry.js';
import type { StoredEntry } from './entry.js';
import { cacheTracing, traceCacheOperation } from './diagnostics.js';
import { CacheConfigError } from './errors.js';
import { validateKey, validateKeys } from './keys.js';
import { validateSetOptions } from './options.js';
import type { SetOptions } from './types.js';

/** What the many-key operations need of their cache. */
export interface ManyKeysHost<V> extends ClassifyHost<V> {
  /** The cache's name, for traces. */
  readonly name: string;
  readonly maxKeyBytes: number;
  now(): number;
  /** `BaseCache.checkOpen`. */
  checkOpen(): void;
  /** `BaseCache.buildEntry`. */
  buildEntry(value: V, options: SetOptions | undefined): StoredEntry<V>;
  /** `BaseCache.buildMany`. */
  buildMany(
    entries: Iterable<readonly [string, V]>,
    options: SetOptions | undefined,
  ): (readonly [string, StoredEntry<V>])[];
  /** `BaseCache.readEntries`. */
  readEntries(keys: readonly string[]): Promise<(StoredEntry<V> | undefined)[]>;
  /** `BaseCache.writeEntries`. */
  writeEntries(entries: readonly (readonly [string, StoredEntry<V>])[]): Promise<void>;
  /** `BaseCache.removeEntries`. */
  removeEntries(keys: readonly string[]): Promise<string[] | number>;
  /** Counts a hit or a miss, with its event. */
  count(key: string, hit: boolean): void;
  /** Reports a backend failure and throws it as a `CacheError`. */
  fail(error: unknown, key?: string): never;
  /** `BaseCache.reportSets`. */
  reportSets(written: readonly (readonly [string, unknown])[]): void;
  /** `BaseCache.reportDeletes`. */
  reportDeletes(removed: readonly string[] | number): number;
}

/** `getMany`: checks the keys, reads them at once, and counts each as a hit or a miss. */
export function getMany<V, T extends V>(
  host: ManyKeysHost<V>,
  keys: readonly string[],
): Promise<(T | undefined)[]> {
  if (cacheTracing.getMany.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'getMany', keys }, () =>
      readMany<V, T>(host, keys),
    );
  return readMany<V, T>(host, keys);
}

async function readMany<V, T extends V>(
  host: ManyKeysHost<V>,
  keys: readonly string[],
): Promise<(T | undefined)[]> {
  validateKeys(keys, host.maxKeyBytes);
  host.checkOpen();
  if (keys.length === 0) return [];
  try {
    const entries = await host.readEntries(keys);
    const now = host.now();
    const values: (T | undefined)[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      let found = classifyEntry(host, key, entries[i], now);
      if (found instanceof Promise) found = await found;
      const hit = found?.state === 'fresh';
      host.count(key, hit);
      values[i] = hit && found ? (found.entry.value as T) : undefined;
    }
    return values;
  } catch (error) {
    host.fail(error);
  }
}

/** `setMany`: builds every entry before writing any, then writes them at once. */
export function setMany<V>(
  host: ManyKeysHost<V>,
  entries: Iterable<readonly [string, V]>,
  options: SetOptions | undefined,
): Promise<void> {
  if (cacheTracing.setMany.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'setMany' }, () =>
      writeMany(host, entries, options),
    );
  return writeMany(host, entries, options);
}

async function writeMany<V>(
  host: ManyKeysHost<V>,
  entries: Iterable<readonly [string, V]>,
  options: SetOptions | undefined,
): Promise<void> {
  const built = host.buildMany(entries, options);
  if (built.length === 0) return;
  try {
    await host.writeEntries(built);
  } catch (error) {
    host.fail(error);
  }
  host.reportSets(built);
}

/** `deleteMany`: checks the keys, removes each once, and counts the live entries removed. */
export function deleteMany<V>(host: ManyKeysHost<V>, keys: readonly string[]): Promise<number> {
  if (cacheTracing.deleteMany.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'deleteMany', keys }, () =>
      removeMany(host, keys),
    );
  return removeMany(host, keys);
}

async function removeMany<V>(host: ManyKeysHost<V>, keys: readonly string[]): Promise<number> {
  validateKeys(keys, host.maxKeyBytes);
  host.checkOpen();
  const unique = [...new Set(keys)];
  if (unique.length === 0) return 0;
  let removed: readonly string[] | number;
  try {
    removed = await host.removeEntries(unique);
  } catch (error) {
    host.fail(error);
  }
  return host.reportDeletes(removed);
}

/**
 * The entries of a `setMany`, checked and built before anything is written: the iterable, the
 * options (refused even when there is nothing to write), each key and value. The last write of a
 * key wins, as with successive sets.
 */
export function buildMany<V>(
  host: ManyKeysHost<V>,
  entries: Iterable<readonly [string, V]>,
  options: SetOptions | undefined,
): (readonly [string, StoredEntry<V>])[] {
  if (entries == null || typeof (entries as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new CacheConfigError('setMany takes an iterable of [key, value] pairs');
  }
  validateSetOptions(options, 'setMany');
  host.checkOpen();
  const built: (readonly [string, StoredEntry<V>])[] = [];
  const index = new Map<string, number>();
  for (const pair of entries) {
    if (!Array.isArray(pair)) throw new CacheConfigError('setMany takes an iterable of [key, value] pairs');
    const [key, value] = pair as readonly [string, V];
    validateKey(key, host.maxKeyBytes);
    const item = [key, host.buildEntry(value, options)] as const;
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, built.length);
      built.push(item);
    } else built[at] = item;
  }
  return built;
}

/** The default `removeEntries`: one removal per key; the keys whose entry was live, in order. */
export async function removeEach(
  removeEntry: (key: string) => Promise<boolean>,
  keys: readonly string[],
): Promise<string[]> {
  const removed = await Promise.all(keys.map(removeEntry));
  const out: string[] = [];
  for (let i = 0; i < keys.length; i++) if (removed[i]) out.push(keys[i] as string);
  return out;
}
