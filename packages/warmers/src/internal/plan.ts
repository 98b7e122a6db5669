/**
 * What a `warm` source is read as (its plan): a stream of entries, or a stream of keys with a
 * loader of one key or of a batch, every entry shaped as an {@link Item} on its way to the
 * cache. `sources.ts` holds the public shapes of the sources; this module turns any of them
 * into a plan, and checks it (a bad source throws `CacheConfigError` before anything is read).
 *
 * Why it is its own module: reading a source is one concept, apart from running it (`warm.ts`).
 */
import type { PlatformAbortSignal } from '@cache/core';
import { type CacheError, CacheConfigError, CacheSerializationError } from '@cache/core';
import {
  CacheSource,
  ExportSource,
  type KeysInput,
  type LoadManySource,
  type LoadSource,
} from '../sources.js';
import { readExport } from './read-export.js';

/** An entry on its way to the cache. */
export interface Item {
  key: string;
  value: unknown;
  /** The entry carries its own expiry (copied from a cache or an export). */
  own: boolean;
  /** Its expiry when `own`: epoch ms, `undefined` for never. */
  expiresAt: number | undefined;
  tags: readonly string[] | undefined;
}

/** What a source is read as. */
export type Plan =
  | { kind: 'entries'; items: () => AsyncIterable<Item | CacheError> }
  | {
      kind: 'keys';
      keys: KeysInput;
      load:
        | ((key: string, attempt: number, signal: PlatformAbortSignal) => Promise<Item | undefined>)
        | undefined;
      loadMany:
        | ((
            keys: readonly string[],
            attempt: number,
            signal: PlatformAbortSignal,
          ) => Promise<(Item | undefined)[]>)
        | undefined;
    };

function isIterable(value: object): value is Iterable<unknown> | AsyncIterable<unknown> {
  return Symbol.asyncIterator in value || Symbol.iterator in value;
}

/**
 * The plan of a source: what `warm` reads from it, as entries or as keys with a loader.
 * @throws CacheConfigError for a value that is not a source.
 */
export function planOf(source: unknown): Plan {
  if (source instanceof CacheSource) {
    const { cache, prefix } = source as CacheSource;
    return {
      kind: 'keys',
      keys: () => cache.keys(prefix === undefined ? {} : { prefix }),
      load: undefined,
      loadMany: async (keys) => {
        const entries = await Promise.all(keys.map((key) => cache.getEntry(key)));
        return entries.map((e) =>
          e === undefined
            ? undefined
            : { key: e.key, value: e.value, own: true, expiresAt: e.expiresAt, tags: e.tags },
        );
      },
    };
  }
  if (source instanceof ExportSource) {
    const { input } = source;
    return {
      kind: 'entries',
      items: async function* () {
        for await (const e of readExport(input))
          yield e instanceof CacheSerializationError
            ? e
            : { key: e.key, value: e.value, own: true, expiresAt: e.expiresAt, tags: e.tags };
      },
    };
  }
  if (source === null || typeof source !== 'object')
    throw new CacheConfigError(
      'warm takes entries, { keys, load }, { keys, loadMany }, fromCache() or fromExport()',
    );
  if (isIterable(source)) {
    return {
      kind: 'entries',
      items: async function* () {
        for await (const tuple of source as AsyncIterable<unknown>) yield tupleItem(tuple);
      },
    };
  }
  const s = source as Partial<LoadSource & LoadManySource>;
  const hasLoad = typeof s.load === 'function';
  const hasLoadMany = typeof s.loadMany === 'function';
  if (s.keys === undefined || hasLoad === hasLoadMany)
    throw new CacheConfigError('a keys source has keys and exactly one of load(key) and loadMany(keys)');
  if (typeof s.keys !== 'function' && (typeof s.keys !== 'object' || s.keys === null || !isIterable(s.keys)))
    throw new CacheConfigError('keys must be an iterable, an async iterable or a function returning one');
  const plain = (key: string, value: unknown): Item | undefined =>
    value === undefined ? undefined : { key, value, own: false, expiresAt: undefined, tags: undefined };
  const { load, loadMany } = s;
  return {
    kind: 'keys',
    keys: s.keys,
    load: load && (async (key, attempt, signal) => plain(key, await load(key, { key, attempt, signal }))),
    loadMany:
      loadMany &&
      (async (keys, attempt, signal) => {
        const values = await loadMany(keys, { attempt, signal });
        if (!Array.isArray(values) || values.length !== keys.length)
          throw new CacheConfigError(
            `loadMany returned ${Array.isArray(values) ? `${values.length} values` : 'no array'} for ${keys.length} keys`,
          );
        return keys.map((key, i) => plain(key, values[i]));
      }),
  };
}

function tupleItem(tuple: unknown): Item | CacheError {
  if (!Array.isArray(tuple) || tuple.length < 2 || typeof tuple[0] !== 'string')
    return new CacheConfigError('an entry of a warm source is not a [key, value] pair');
  return { key: tuple[0], value: tuple[1], own: false, expiresAt: undefined, tags: undefined };
}

/**
 * The keys of a keys source (calling its function).
 * @throws CacheConfigError when the function returns something that is not an iterable.
 */
export async function keysOf(input: KeysInput): Promise<AsyncIterable<unknown> | Iterable<unknown>> {
  const keys = typeof input === 'function' ? await input() : input;
  if (keys === null || typeof keys !== 'object' || !isIterable(keys))
    throw new CacheConfigError('the keys function must return an iterable or an async iterable');
  return keys;
}
