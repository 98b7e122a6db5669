/**
 * `exportEntries`: writes the live entries of any cache as JSON Lines (see `export-format.ts`),
 * read through `keys()` and `getEntry()`, a batch at a time, with backpressure on the output.
 */
import type { PlatformAbortSignal } from '@cache/core';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { WritableLike } from './streams.js';
import { type Cache, CacheConfigError, type CacheError, type Clock, systemClock } from '@cache/core';
import { checkOptionNames, parsePositiveInteger, toCacheError, validatePrefix } from '@cache/core/backend';
import { EXPORT_HEADER, encodeExportLine } from './export-format.js';
import { keyedError } from './internal/keyed.js';

/** Options of {@link exportEntries}. */
export interface ExportOptions {
  /** Only the keys that start with this. @default all keys */
  prefix?: string | undefined;
  /** Keys read with `getEntry` at once, and entries per write to the output. @default 100 */
  batchSize?: number | undefined;
  /** Stops the export; a file export is then removed (a given stream is left as it is). */
  signal?: PlatformAbortSignal | undefined;
  /** The time source that decides which entries have expired. @default the system clock */
  clock?: Clock | undefined;
  /** Called after each batch is written, with the counts so far (for a progress bar). */
  onProgress?: ((progress: ExportProgress) => void) | undefined;
}

/** The counts of an export so far, given to {@link ExportOptions.onProgress}. */
export interface ExportProgress {
  /** Entries written. */
  exported: number;
  /** Keys whose entry was gone or expired when read. */
  skipped: number;
  /** Entries left out because they could not be read or encoded. */
  failed: number;
}

/** What {@link exportEntries} wrote. */
export interface ExportReport {
  /** Entries written. */
  exported: number;
  /** Keys listed by `keys()` whose entry was gone or expired when read. */
  skipped: number;
  /** Entries that could not be read or whose value typed JSON cannot encode (they are left out). */
  failed: number;
  /** The first 100 errors behind `failed`. */
  errors: CacheError[];
  /** Milliseconds the export took, by its clock. */
  durationMs: number;
}

const NAMES = new Set(['prefix', 'batchSize', 'signal', 'clock', 'onProgress']);
const MAX_ERRORS = 100;

/**
 * Writes the live entries of `cache` (optionally those under `prefix`) to a file or a stream as
 * JSON Lines: a header line, then one entry per line with its key, its value in typed JSON, its
 * expiry and its tags. Holds one batch of entries at a time and waits for the output to drain.
 *
 * A path is written to a temporary file beside it and renamed into place when complete, so a
 * reader never sees half an export; on failure or abort the temporary file is removed. A given
 * stream is written to and left open (end it yourself).
 *
 * @example
 * const report = await exportEntries(cache, 'snapshot.jsonl', { prefix: 'user:' });
 * @throws CacheConfigError for bad options; whatever `keys()` or the output throws (as a `CacheError`).
 *   An aborted export rejects with the signal's reason.
 */
export async function exportEntries(
  cache: Cache,
  output: string | WritableLike,
  options: ExportOptions = {},
): Promise<ExportReport> {
  if (cache === null || typeof cache !== 'object' || typeof cache.getEntry !== 'function')
    throw new CacheConfigError('exportEntries takes a cache');
  if (options === null || typeof options !== 'object')
    throw new CacheConfigError('exportEntries options must be an object');
  checkOptionNames(options, NAMES, 'exportEntries', false);
  const prefix = validatePrefix(options.prefix);
  const batchSize = parsePositiveInteger(options.batchSize, 'batchSize') ?? 100;
  const clock = options.clock ?? systemClock;
  const { signal, onProgress } = options;
  if (onProgress !== undefined && typeof onProgress !== 'function')
    throw new CacheConfigError('exportEntries: onProgress must be a function');
  if (
    typeof output !== 'string' &&
    (output === null || typeof output !== 'object' || typeof output.write !== 'function')
  )
    throw new CacheConfigError('exportEntries writes to a file path or a writable stream');
  if (typeof output !== 'string')
    return writeTo(cache, output as unknown as Writable, { prefix, batchSize, clock, signal, onProgress });

  const temp = `${output}.${randomBytes(6).toString('hex')}.tmp`;
  const stream = createWriteStream(temp);
  try {
    const report = await writeTo(cache, stream, { prefix, batchSize, clock, signal, onProgress });
    stream.end();
    await once(stream, 'finish');
    await rename(temp, output);
    return report;
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}

interface WriteOptions {
  prefix: string | undefined;
  batchSize: number;
  clock: Clock;
  signal: PlatformAbortSignal | undefined;
  onProgress: ((progress: ExportProgress) => void) | undefined;
}

async function writeTo(
  cache: Cache,
  stream: Writable,
  { prefix, batchSize, clock, signal, onProgress }: WriteOptions,
): Promise<ExportReport> {
  const start = clock.now();
  const report: ExportReport = { exported: 0, skipped: 0, failed: 0, errors: [], durationMs: 0 };
  const fail = (error: unknown, key: string) => {
    report.failed++;
    if (report.errors.length < MAX_ERRORS)
      report.errors.push(keyedError(error, `export of "${key}" failed`, key));
  };
  let streamError: unknown;
  const onError = (error: unknown) => {
    streamError ??= error;
  };
  stream.on('error', onError);
  const write = async (text: string) => {
    if (streamError !== undefined) throw toCacheError(streamError, 'exportEntries: the output failed');
    if (!stream.write(text)) await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
    if (streamError !== undefined) throw toCacheError(streamError, 'exportEntries: the output failed');
  };
  const flush = async (keys: string[]) => {
    const entries = await Promise.all(
      keys.map((key) =>
        cache.getEntry(key).then(
          (entry) => entry,
          (error: unknown) => {
            fail(error, key);
            return null;
          },
        ),
      ),
    );
    const now = clock.now();
    let text = '';
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry === null) continue;
      if (entry === undefined || (entry.expiresAt !== undefined && entry.expiresAt <= now)) {
        report.skipped++;
        continue;
      }
      try {
        text += `${encodeExportLine(entry)}\n`;
        report.exported++;
      } catch (error) {
        fail(error, keys[i] as string);
      }
    }
    if (text.length > 0) await write(text);
    onProgress?.({ exported: report.exported, skipped: report.skipped, failed: report.failed });
  };
  try {
    signal?.throwIfAborted();
    await write(`${EXPORT_HEADER}\n`);
    let batch: string[] = [];
    for await (const key of cache.keys(prefix === undefined ? {} : { prefix })) {
      batch.push(key);
      if (batch.length >= batchSize) {
        signal?.throwIfAborted();
        await flush(batch);
        batch = [];
      }
    }
    signal?.throwIfAborted();
    if (batch.length > 0) await flush(batch);
  } finally {
    stream.off('error', onError);
  }
  report.durationMs = clock.now() - start;
  return report;
}
