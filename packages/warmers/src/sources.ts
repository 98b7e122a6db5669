/**
 * What `warm` reads: entries, keys with a loader, another cache, or an export file. Every source
 * becomes one of two internal shapes: a stream of entries, or a stream of keys with a loader of
 * entries (one key or a batch at a time), which `warm` runs with its concurrency and retries
 * (those shapes, and the checks of a source, are `internal/plan.ts`).
 */
import type { PlatformAbortSignal } from '@cache/core';
import type { ReadableLike } from './streams.js';
import { type Cache, CacheConfigError } from '@cache/core';
import { validatePrefix } from '@cache/core/backend';

/** One entry to write: a key and its value. */
export type WarmEntryTuple<V = unknown> = readonly [key: string, value: V];

/** What a loader of one key receives. */
export interface LoadContext {
  /** The key to load. */
  readonly key: string;
  /** 0 for the first attempt, then 1, 2, ... for the retries. */
  readonly attempt: number;
  /** Aborted when the run stops (signal or deadline): pass it on to `fetch` and the like. */
  readonly signal: PlatformAbortSignal;
}

/** What a loader of a batch of keys receives. */
export interface LoadManyContext {
  /** 0 for the first attempt, then 1, 2, ... for the retries. */
  readonly attempt: number;
  /** Aborted when the run stops (signal or deadline). */
  readonly signal: PlatformAbortSignal;
}

/** Keys to warm: an iterable, an async iterable, or a function returning (a promise of) one. */
export type KeysInput =
  | Iterable<string>
  | AsyncIterable<string>
  | (() => Iterable<string> | AsyncIterable<string> | Promise<Iterable<string> | AsyncIterable<string>>);

/** Keys and a loader of one key: `undefined` means the key has no value (skipped as missing). */
export interface LoadSource<V = unknown> {
  /** The keys to warm. */
  keys: KeysInput;
  /** Loads one key; `undefined` means it has no value. */
  load: (key: string, ctx: LoadContext) => V | undefined | Promise<V | undefined>;
}

/**
 * Keys and a loader of a batch of keys (`batchSize` at a time): it resolves to the values in the
 * order of the keys, `undefined` where a key has no value (skipped as missing, never dropped).
 * An array of another length fails the batch.
 */
export interface LoadManySource<V = unknown> {
  /** The keys to warm. */
  keys: KeysInput;
  /** Loads a batch of keys; the values in their order. */
  loadMany: (
    keys: readonly string[],
    ctx: LoadManyContext,
  ) => readonly (V | undefined)[] | Promise<readonly (V | undefined)[]>;
}

/** The live entries of another cache, copied with their remaining TTL and tags: see {@link fromCache}. */
export class CacheSource<V = unknown> {
  /** The cache to copy from. */
  readonly cache: Cache<V>;
  /** Only its keys that start with this. */
  readonly prefix: string | undefined;

  constructor(cache: Cache<V>, prefix?: string) {
    if (cache === null || typeof cache !== 'object' || typeof cache.getEntry !== 'function')
      throw new CacheConfigError('fromCache takes a cache');
    this.cache = cache;
    this.prefix = validatePrefix(prefix);
  }
}

/** The entries of an export (JSON Lines, see `exportEntries`): see {@link fromExport}. */
export class ExportSource {
  /** A file path, or a stream of the file's bytes. */
  readonly input: string | ReadableLike;

  constructor(input: string | ReadableLike) {
    if (typeof input !== 'string' && !isReadable(input))
      throw new CacheConfigError('fromExport takes a file path or a readable stream');
    this.input = input;
  }
}

/** Anything `warm` reads. */
export type WarmSource<V = unknown> =
  | Iterable<WarmEntryTuple<V>>
  | AsyncIterable<WarmEntryTuple<V>>
  | LoadSource<V>
  | LoadManySource<V>
  | CacheSource<V>
  | ExportSource;

/** Options of {@link fromCache}. */
export interface FromCacheOptions {
  /** Copy only the keys that start with this (kept as they are: the prefix is not stripped). @default all keys */
  prefix?: string | undefined;
}

/**
 * A source of the live entries of another cache, read with `keys()` and `getEntry()`: each is
 * written with its remaining TTL (entries that expire before they are written are skipped as
 * expired) and its tags. This is how an L1 fills itself from its L2.
 *
 * @example
 * await warm(memory, fromCache(redis, { prefix: 'user:' }));
 * @throws CacheConfigError when `cache` is not a cache; CacheKeyError for a bad prefix.
 */
export function fromCache<V>(cache: Cache<V>, options: FromCacheOptions = {}): CacheSource<V> {
  if (options === null || typeof options !== 'object')
    throw new CacheConfigError('fromCache options must be an object');
  return new CacheSource(cache, options.prefix);
}

/**
 * A source of the entries of an export (see `exportEntries`), read line by line: each is written
 * with its expiry and tags; expired ones are skipped.
 *
 * @example
 * await warm(cache, fromExport('snapshot.jsonl'), { mode: 'overwrite' });
 * @throws CacheConfigError when `input` is neither a path nor a readable stream.
 */
export function fromExport(input: string | ReadableLike): ExportSource {
  return new ExportSource(input);
}

function isReadable(value: unknown): value is ReadableLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { pipe?: unknown }).pipe === 'function' &&
    typeof (value as { on?: unknown }).on === 'function'
  );
}
