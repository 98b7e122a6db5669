import { isAbsolute, resolve } from 'node:path';
import {
  type ByteSize,
  CacheConfigError,
  type Duration,
  jsonSerializer,
  parseByteSize,
  type Serializer,
} from '@cache/core';
import {
  assertSerializer,
  type BaseCacheOptions,
  checkOptionNames,
  checkWellFormed,
  DEFAULT_SWEEP_INTERVAL,
  parseInterval,
  parsePositiveInteger,
  parseTimerDuration,
} from '@cache/core/backend';

/** Options of {@link FileCache}. */
export interface FileCacheOptions extends BaseCacheOptions {
  /** The cache directory (created when missing). Many processes and instances may share it. */
  dir: string;
  /**
   * Most entries held, across every process sharing `dir`, within the tolerance the README
   * states; the least recently used are evicted. @default unlimited
   */
  maxEntries?: number | undefined;
  /**
   * Most bytes of entry files held (a whole number of bytes, or `'500MB'`), like `maxEntries`.
   * @default unlimited
   */
  maxBytes?: ByteSize | undefined;
  /**
   * The largest entry file written or read (a whole number of bytes, or `'64MB'`), at most
   * 2 GiB - 1. A larger value is refused by `set` with `CacheFullError`; a larger file found at
   * an entry path is not read (a miss with an `error` event), so an odd file cannot exhaust
   * memory. @default 1 GiB
   */
  maxEntryBytes?: ByteSize | undefined;
  /**
   * The serializer of values. @default jsonSerializer (from `@cache/core`: typed JSON, which
   * round-trips `Date`, `Map`, `Set`, `BigInt`, bytes, `RegExp`, `NaN`, `±Infinity`, `-0` and
   * nested `undefined`)
   */
  serializer?: Serializer | undefined;
  /** Sync each written file and its folder, so that a completed `set` survives power loss. @default false */
  fsync?: boolean | undefined;
  /** Mode of created files. @default 0o600 */
  fileMode?: number | undefined;
  /** Mode of created folders. @default 0o700 */
  dirMode?: number | undefined;
  /**
   * Run {@link FileCache.cleanup} (removes expired entries) this often, on an `unref()`ed timer;
   * `false` (or `Infinity`) leaves expiry to reads and `cleanup()` calls. At most 2^31-1 ms
   * (about 24.8 days), the longest delay a timer takes. The same option, unit and default as
   * `MemoryCache`'s. @default '1m'
   */
  sweepInterval?: Duration | false | undefined;
  /**
   * A read refreshes an entry's LRU stamp (its file mtime) when the stamp is older than this
   * (`'1s'`, or ms). `0` stamps every read. @default '1s'
   */
  touchInterval?: Duration | undefined;
  /**
   * The longest pause between two checks of another process's lock by a waiting
   * `getOrSet({ lock })` (or an `add` replacing a dead entry): the pauses double up to it, with
   * jitter, as the core's `waitForLock` paces them. At most 2^31-1 ms. @default '20ms'
   */
  lockPollInterval?: Duration | undefined;
  /**
   * Accept a directory that another user owns or that group or others may write to. By default
   * the directory must be owned by the current user or root, and not writable by group or others
   * unless it has the sticky bit or `dirMode` grants that write access: whoever can write to the
   * directory can make the cache read or write where they choose (see the README). Links inside
   * the directory are refused either way. @default false
   */
  sharedDir?: boolean | undefined;
}

/** Options after checks. */
export interface ResolvedFileOptions {
  dir: string;
  maxEntries: number | undefined;
  maxBytes: number | undefined;
  maxEntryBytes: number;
  serializer: Serializer;
  fsync: boolean;
  fileMode: number;
  dirMode: number;
  sweepInterval: number | undefined;
  touchInterval: number;
  lockPollInterval: number;
  sharedDir: boolean;
}

/** The largest `maxEntryBytes`: what one `fs.read` takes. */
const MAX_ENTRY_BYTES_LIMIT = 2 ** 31 - 1;
const DEFAULT_MAX_ENTRY_BYTES = 2 ** 30;

/** Every option name a file cache takes (BaseCache's and its own). */
const KNOWN: ReadonlySet<string> = new Set([
  'clock',
  'dir',
  'maxEntries',
  'maxBytes',
  'maxEntryBytes',
  'serializer',
  'fsync',
  'fileMode',
  'dirMode',
  'sweepInterval',
  'touchInterval',
  'lockPollInterval',
  'sharedDir',
]);

/**
 * A size option as a whole number of bytes, at least 1: a fractional number of bytes (`0.5`)
 * is refused rather than rounded; a string with a unit (`'1.5KB'`) is rounded down by core.
 */
function wholeSize(value: ByteSize | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new CacheConfigError(`${what} must be a whole number of bytes, got ${String(value)}`);
  const bytes = parseByteSize(value, what);
  if (bytes < 1) throw new CacheConfigError(`${what} must be at least 1 byte, got ${String(value)}`);
  return bytes;
}

function mode(value: unknown, what: string, fallback: number, needs: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0o777) {
    throw new CacheConfigError(`${what} must be a permission mode from 0 to 0o777`);
  }
  if ((value & needs) !== needs) {
    throw new CacheConfigError(`${what} must give the owner at least 0o${needs.toString(8)}`);
  }
  return value;
}

/** Checks the options of a file cache. @throws CacheConfigError */
export function resolveFileOptions(options: FileCacheOptions): ResolvedFileOptions {
  if (options === null || typeof options !== 'object')
    throw new CacheConfigError('options must be an object');
  checkOptionNames(options, KNOWN, 'FileCache');
  const { dir, serializer = jsonSerializer, fsync = false, sharedDir = false } = options;
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
    throw new CacheConfigError('dir must be a non-empty path');
  }
  // A lone surrogate becomes U+FFFD in the path: two different names would share one folder.
  checkWellFormed(dir, 'dir');
  assertSerializer(serializer);
  if (typeof fsync !== 'boolean') throw new CacheConfigError('fsync must be a boolean');
  if (typeof sharedDir !== 'boolean') throw new CacheConfigError('sharedDir must be a boolean');
  const maxEntryBytes = wholeSize(options.maxEntryBytes, 'maxEntryBytes') ?? DEFAULT_MAX_ENTRY_BYTES;
  if (maxEntryBytes > MAX_ENTRY_BYTES_LIMIT)
    throw new CacheConfigError(`maxEntryBytes must be at most ${MAX_ENTRY_BYTES_LIMIT} bytes`);
  const touchInterval =
    options.touchInterval === undefined
      ? 1000
      : options.touchInterval === 0
        ? 0
        : parseTimerDuration(options.touchInterval, 'touchInterval');
  if (options.maxKeyBytes !== undefined && options.maxKeyBytes > 65_535) {
    throw new CacheConfigError('maxKeyBytes must be at most 65535 for the file backend');
  }
  return {
    dir: isAbsolute(dir) ? resolve(dir) : resolve(process.cwd(), dir),
    maxEntries: parsePositiveInteger(options.maxEntries, 'maxEntries'),
    maxBytes: wholeSize(options.maxBytes, 'maxBytes'),
    maxEntryBytes,
    serializer,
    fsync,
    fileMode: mode(options.fileMode, 'fileMode', 0o600, 0o600),
    dirMode: mode(options.dirMode, 'dirMode', 0o700, 0o700),
    sweepInterval: parseInterval(options.sweepInterval, DEFAULT_SWEEP_INTERVAL, 'sweepInterval'),
    touchInterval,
    lockPollInterval:
      options.lockPollInterval === undefined
        ? 20
        : parseTimerDuration(options.lockPollInterval, 'lockPollInterval'),
    sharedDir,
  };
}
