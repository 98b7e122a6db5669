/**
 * The options of `MemoryCache`, and their validation: every option is checked once, in the
 * constructor, and a bad one is a `CacheConfigError`.
 */
import { type ByteSize, CacheConfigError, type Duration, parseByteSize, type Serializer } from '@cache/core';
import {
  assertSerializer,
  type BaseCacheOptions,
  checkOptionNames,
  DEFAULT_SWEEP_INTERVAL,
  parseInterval,
  parsePositiveInteger,
} from '@cache/core/backend';
import { DEFAULT_SNAPSHOT_MAX_BYTES, SNAPSHOT_MAX_BYTES_LIMIT } from './internal/snapshot-file.js';
import { DEFAULT_POLICY } from './policies/index.js';
import { PolicyName } from './policies/policy.js';

/** How often a snapshot is written by default (ms). */
const DEFAULT_PERSIST_INTERVAL = 60_000;

/** Where and when `MemoryCache` writes its snapshot. */
export interface PersistOptions {
  /** The snapshot file. Its directory is created when missing. */
  path: string;
  /**
   * How often the snapshot is written; `false` (or `Infinity`) writes it only on `close()`. At
   * most 2^31-1 ms (about 24.8 days), the longest delay a timer takes. @default '1m'
   */
  interval?: Duration | false | undefined;
  /** Whether `close()` writes a last snapshot. @default true */
  onClose?: boolean | undefined;
  /**
   * The largest snapshot file loaded, and written (`'64MB'` or a number of bytes): a larger file
   * is not read (the cache starts empty with an `error` event), and a snapshot that would be
   * larger is not written (`CacheFullError`). At most the longest string the engine holds
   * (about 512 MiB). @default '256MB'
   */
  maxBytes?: ByteSize | undefined;
}

/** Options of `MemoryCache`. */
export interface MemoryCacheOptions<V = unknown> extends BaseCacheOptions {
  /** The most entries held; past it the policy evicts (or, with `policy: 'none'`, new keys are refused). @default unbounded */
  maxEntries?: number | undefined;
  /** The most bytes held (by `sizeOf`, else the serialized size); `'64MB'` or a number of bytes. @default unbounded */
  maxBytes?: ByteSize | undefined;
  /**
   * The largest single entry in bytes (`'1MB'` or a number); a larger one is refused with
   * `CacheFullError`. FileCache's option of the same name defaults to 1 GiB because it also bounds
   * what a read loads from a file another process may have written; here every entry was written
   * by this process, so only `maxBytes` bounds it by default. @default `maxBytes`
   */
  maxEntryBytes?: ByteSize | undefined;
  /** @deprecated The former name of {@link MemoryCacheOptions.maxEntryBytes}; give one of the two. */
  maxEntrySize?: ByteSize | undefined;
  /**
   * The size of a value in bytes (a non-negative integer). Without it, the size is the length
   * of the serialized value (the `serializer`'s bytes, else the value's JSON in UTF-8).
   * Sizes are computed only when a byte limit, `sizeOf` or a serializer is given.
   * @default serialized length
   */
  sizeOf?: ((value: V, key: string) => number) | undefined;
  /** The eviction policy (see the README for how they compare). @default 'tinylfu' */
  policy?: PolicyName | undefined;
  /**
   * Store values as bytes through this serializer (each read returns a fresh copy). Without
   * it, values are stored by reference: a read returns the very object that was written.
   * @default none (by reference)
   */
  serializer?: Serializer | undefined;
  /**
   * How often expired entries are swept on an `unref()`ed timer; `false` (or `Infinity`) leaves
   * expiry to reads alone. The sweep only runs while entries with a TTL exist. At most 2^31-1 ms
   * (about 24.8 days), the longest delay a timer takes. @default '1m'
   */
  sweepInterval?: Duration | false | undefined;
  /** Write a snapshot to disk and load it at start; a string is the snapshot path. @default none */
  persist?: PersistOptions | string | undefined;
  /**
   * Called with each live entry evicted for room (`capacity` or `size`, never an expired one),
   * synchronously, after the write that evicted it: what `@cache/tiered`'s spill mode sends down
   * to the next tier. A listener that throws is ignored. @default none
   */
  onEvict?: ((entry: EvictedEntry<V>) => void) | undefined;
  /**
   * Count each entry's reads and record its last read: `getEntry()`'s `hits` and `lastAccessAt`,
   * and `hottest()`'s ranking with a policy that keeps no frequencies. Costs 8 bytes per entry
   * and two writes per hit. @default false
   */
  trackReads?: boolean | undefined;
}

/** An entry evicted for room, as {@link MemoryCacheOptions.onEvict} receives it. */
export interface EvictedEntry<V = unknown> {
  key: string;
  value: V;
  createdAt: number;
  /** Epoch ms; `undefined` = never. */
  expiresAt: number | undefined;
  tags: readonly string[];
  reason: 'capacity' | 'size';
}

/** Options after validation. */
export interface ResolvedOptions<V> {
  maxEntries: number;
  maxBytes: number;
  maxEntryBytes: number;
  sizeOf: ((value: V, key: string) => number) | undefined;
  policy: PolicyName;
  serializer: Serializer | undefined;
  sweepInterval: number | undefined;
  persist: { path: string; interval: number | undefined; onClose: boolean; maxBytes: number } | undefined;
  onEvict: ((entry: EvictedEntry<V>) => void) | undefined;
  trackReads: boolean;
}

const KNOWN = new Set([
  'clock',
  'maxEntries',
  'maxBytes',
  'maxEntryBytes',
  'maxEntrySize',
  'sizeOf',
  'policy',
  'serializer',
  'sweepInterval',
  'persist',
  'onEvict',
  'trackReads',
]);
const PERSIST_KNOWN = new Set(['path', 'interval', 'onClose', 'maxBytes']);
const POLICIES: ReadonlySet<string> = new Set(Object.values(PolicyName));

/** Validates the options of `MemoryCache` (what `BaseCache` does not check). */
export function resolveOptions<V>(options: MemoryCacheOptions<V>): ResolvedOptions<V> {
  checkOptionNames(options, KNOWN, 'MemoryCache');
  const maxEntries = parsePositiveInteger(options.maxEntries, 'maxEntries') ?? Number.POSITIVE_INFINITY;
  const maxBytes =
    options.maxBytes === undefined ? Number.POSITIVE_INFINITY : parseByteSize(options.maxBytes, 'maxBytes');
  if (options.maxEntryBytes !== undefined && options.maxEntrySize !== undefined)
    throw new CacheConfigError('give maxEntryBytes or its former name maxEntrySize, not both');
  const [entryName, entryLimit] =
    options.maxEntrySize === undefined
      ? ['maxEntryBytes', options.maxEntryBytes]
      : ['maxEntrySize', options.maxEntrySize];
  const maxEntryBytes =
    entryLimit === undefined ? maxBytes : Math.min(maxBytes, parseByteSize(entryLimit, entryName));
  const sizeOf = options.sizeOf;
  if (sizeOf !== undefined && typeof sizeOf !== 'function')
    throw new CacheConfigError('sizeOf must be a function');
  const policy = options.policy ?? DEFAULT_POLICY;
  if (typeof policy !== 'string' || !POLICIES.has(policy)) {
    throw new CacheConfigError(`policy must be one of ${[...POLICIES].join(', ')}, got ${String(policy)}`);
  }
  const serializer = options.serializer;
  if (serializer !== undefined) assertSerializer(serializer);
  if (options.trackReads !== undefined && typeof options.trackReads !== 'boolean')
    throw new CacheConfigError('trackReads must be a boolean');
  const sweepInterval = parseInterval(options.sweepInterval, DEFAULT_SWEEP_INTERVAL, 'sweepInterval');
  let persist: ResolvedOptions<V>['persist'];
  const given = typeof options.persist === 'string' ? { path: options.persist } : options.persist;
  if (given !== undefined) {
    if (given === null || typeof given !== 'object')
      throw new CacheConfigError('persist must be an object or a path');
    if (typeof given.path !== 'string' || given.path === '')
      throw new CacheConfigError('persist.path must be a file path');
    for (const name of Object.keys(given)) {
      if (!PERSIST_KNOWN.has(name))
        throw new CacheConfigError(`persist has no option ${JSON.stringify(name)}`);
    }
    if (given.onClose !== undefined && typeof given.onClose !== 'boolean') {
      throw new CacheConfigError('persist.onClose must be a boolean');
    }
    const maxBytes =
      given.maxBytes === undefined
        ? DEFAULT_SNAPSHOT_MAX_BYTES
        : parseByteSize(given.maxBytes, 'persist.maxBytes');
    if (maxBytes > SNAPSHOT_MAX_BYTES_LIMIT)
      throw new CacheConfigError(`persist.maxBytes must be at most ${SNAPSHOT_MAX_BYTES_LIMIT} bytes`);
    persist = {
      path: given.path,
      interval: parseInterval(given.interval, DEFAULT_PERSIST_INTERVAL, 'persist.interval'),
      onClose: given.onClose ?? true,
      maxBytes,
    };
  }
  return {
    maxEntries,
    maxBytes,
    maxEntryBytes,
    sizeOf,
    policy: policy as PolicyName,
    serializer,
    sweepInterval,
    persist,
    onEvict: onEvict(options.onEvict),
    trackReads: options.trackReads ?? false,
  };
}

function onEvict<V>(value: unknown): ((entry: EvictedEntry<V>) => void) | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new CacheConfigError('onEvict must be a function');
  return value as ((entry: EvictedEntry<V>) => void) | undefined;
}
