import type { ReadableLike } from './streams.js';
import type { Cache } from '@cache/core';
import { fromExport } from './sources.js';
import { warm } from './warm.js';
import type { WarmOptions, WarmReport } from './warm-options.js';

/**
 * Loads an export (written by `exportEntries`) into `cache`, reading it line by line: each entry
 * with its expiry and tags; expired entries are skipped (`skips.expired`), lines that are not
 * entries fail (`failed`, with a `CacheSerializationError`). The same as
 * `warm(cache, fromExport(input), options)`, so it takes every option of `warm`: `mode`
 * (`'fill-missing'` by default: keys the cache holds keep their value), batches, retries,
 * `signal`, `deadline`, `onProgress`.
 *
 * @example
 * const report = await importEntries(cache, 'snapshot.jsonl', { mode: 'overwrite' });
 * @throws CacheSerializationError when the input does not start with an export header of a
 *   version this package reads; CacheConfigError for bad options; a `CacheError` when the
 *   input cannot be read.
 */
export function importEntries<V>(
  cache: Cache<V>,
  input: string | ReadableLike,
  options?: WarmOptions,
): Promise<WarmReport> {
  return warm(cache, fromExport(input), options);
}
