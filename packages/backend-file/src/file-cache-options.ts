import { isAbsolute, resolve } from 'node:path';
import {
  type BaseCacheOptions,
  type ByteSize,
  CacheConfigError,
  type Duration,
  jsonSerializer,
  parseByteSize,
  parseDuration,
  parsePositiveInteger,
  type Serializer,
} from '@cache/core';

/** Options of {@link FileCache}. */
export interface FileCacheOptions extends BaseCacheOptions {
  /** The cache directory (created when missing). Many processes and instances may share it. */
  dir: string;
  /**
   * Most entries held, across every process sharing `dir`, within the tolerance the README
   * states; the least recently used are evicted. @default unlimited
   */
  maxEntries?: number;
  /** Most bytes of entry files held (a number or `'500MB'`), like `maxEntries`. @default unlimited */
  maxBytes?: ByteSize;
  /** The serializer of values. @default jsonSerializer (from `@cache/core`) */
  serializer?: Serializer;
  /** Sync each written file and its folder, so that a completed `set` survives power loss. @default false */
  fsync?: boolean;
  /** Mode of created files. @default 0o600 */
  fileMode?: number;
  /** Mode of created folders. @default 0o700 */
  dirMode?: number;
  /** Run {@link FileCache.cleanup} this often (an `unref()`ed timer). @default off */
  sweepInterval?: Duration;
  /**
   * A read refreshes an entry's LRU stamp (its file mtime) when the stamp is older than this,
   * in ms. `0` stamps every read. @default 1000
   */
  touchInterval?: number;
  /** How often a `getOrSet({ lock })` waiting for another process's lock polls it. @default '20ms' */
  lockPollInterval?: Duration;
}

/** Options after checks. */
export interface ResolvedFileOptions {
  dir: string;
  maxEntries: number | undefined;
  maxBytes: number | undefined;
  serializer: Serializer;
  fsync: boolean;
  fileMode: number;
  dirMode: number;
  sweepInterval: number | undefined;
  touchInterval: number;
  lockPollInterval: number;
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
  const { dir, serializer = jsonSerializer, fsync = false } = options;
  if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
    throw new CacheConfigError('dir must be a non-empty path');
  }
  if (
    serializer === null ||
    typeof serializer !== 'object' ||
    typeof serializer.id !== 'string' ||
    typeof serializer.serialize !== 'function' ||
    typeof serializer.deserialize !== 'function'
  ) {
    throw new CacheConfigError('serializer must have an id, serialize() and deserialize()');
  }
  if (typeof fsync !== 'boolean') throw new CacheConfigError('fsync must be a boolean');
  const touchInterval = options.touchInterval ?? 1000;
  if (typeof touchInterval !== 'number' || !(touchInterval >= 0) || !Number.isFinite(touchInterval)) {
    throw new CacheConfigError('touchInterval must be a number of ms, 0 or more');
  }
  if (options.maxKeyBytes !== undefined && options.maxKeyBytes > 65_535) {
    throw new CacheConfigError('maxKeyBytes must be at most 65535 for the file backend');
  }
  return {
    dir: isAbsolute(dir) ? resolve(dir) : resolve(process.cwd(), dir),
    maxEntries: parsePositiveInteger(options.maxEntries, 'maxEntries'),
    maxBytes: options.maxBytes === undefined ? undefined : parseByteSize(options.maxBytes, 'maxBytes'),
    serializer,
    fsync,
    fileMode: mode(options.fileMode, 'fileMode', 0o600, 0o600),
    dirMode: mode(options.dirMode, 'dirMode', 0o700, 0o700),
    sweepInterval:
      options.sweepInterval === undefined ? undefined : parseDuration(options.sweepInterval, 'sweepInterval'),
    touchInterval,
    lockPollInterval:
      options.lockPollInterval === undefined
        ? 20
        : parseDuration(options.lockPollInterval, 'lockPollInterval'),
  };
}
