/**
 * The options of `warm` (and `importEntries`), what they mean, their defaults, and their checks:
 * a bad option is a `CacheConfigError` before anything is read or written.
 */
import type { PlatformAbortSignal } from '@cache/core';
import {
  CacheConfigError,
  type CacheError,
  type Clock,
  type Duration,
  parseDuration,
  systemClock,
} from '@cache/core';
import {
  checkOptionNames,
  parseLifetime,
  parsePositiveInteger,
  parseTimerDuration,
  validateTags,
} from '@cache/core/backend';
import type { RetryPolicy } from './internal/retry.js';
import { systemTimers, type Timers } from './timers.js';

/** Whether `warm` writes over values that the cache holds. */
export type WarmMode = 'fill-missing' | 'overwrite';

/** The counts of a run so far, given to `onProgress`. */
export interface WarmProgress {
  /** Entries written. */
  loaded: number;
  /** Entries not written: see {@link WarmReport.skips}. */
  skipped: number;
  /** Keys whose load or write failed after the retries. */
  failed: number;
  /** Milliseconds since the run began, by the run's clock. */
  elapsedMs: number;
}

/** What `warm` did. */
export interface WarmReport extends WarmProgress {
  /** Why entries were skipped; the three add up to `skipped`. */
  skips: {
    /** The loader had no value (`undefined`), or an entry's value was `undefined`. */
    missing: number;
    /** `fill-missing`: the cache already held the key (before the load, or when the write came). */
    present: number;
    /** Entries copied with their expiry (from a cache or an export) that had expired. */
    expired: number;
  };
  /** The first {@link WarmOptions.maxErrors} errors, each a `CacheError` (`key` set where it is about one key). */
  errors: CacheError[];
  /** Milliseconds from the start of the run to its end, by the run's clock. */
  durationMs: number;
  /** Whether the signal or the deadline stopped the run before it had gone through its source. */
  aborted: boolean;
}

/** Options of `warm`. Every option may be left out (or `undefined`). */
export interface WarmOptions {
  /** Loads and writes in flight at once. @default 8 */
  concurrency?: number | undefined;
  /**
   * Entries per write batch: in `overwrite` mode a batch goes to the cache through `setMany`
   * (one call per distinct TTL and tag set); in `fill-missing` mode through one `add` per entry.
   * Also the number of keys per `loadMany` call and per presence check. @default 100
   */
  batchSize?: number | undefined;
  /** The TTL of the entries written, except those copied with their own expiry. @default the cache's `defaultTtl` */
  ttl?: Duration | undefined;
  /**
   * A fraction (0 to 1) that spreads the expiry of entries written together: an entry's TTL is
   * `ttl * (1 - ttlJitter * random())`. Applies to `ttl` only (not to copied expiries); needs `ttl`.
   * @default 0
   */
  ttlJitter?: number | undefined;
  /** Tags added to every entry written (beside the tags an entry carries). @default [] */
  tags?: readonly string[] | undefined;
  /**
   * `'fill-missing'` writes a key only if the cache does not hold it (an atomic `add`), so a value
   * written by anyone after the warm began is never overwritten; `'overwrite'` writes every entry.
   * @default 'fill-missing'
   */
  mode?: WarmMode | undefined;
  /** Retries of a failed load (per key, or per `loadMany` batch) and of a failed write (per batch or key). @default 2 */
  retries?: number | undefined;
  /** The backoff before the first retry; it doubles with each retry, with full jitter. @default '100ms' */
  retryDelay?: Duration | undefined;
  /** The longest backoff before jitter. @default '10s' */
  maxRetryDelay?: Duration | undefined;
  /** Stops the run: it resolves with its report so far, `aborted: true`, and writes nothing afterwards. */
  signal?: PlatformAbortSignal | undefined;
  /**
   * Stops the run like `signal` at a time: a {@link Duration} from the start of the run, or a
   * `Date`, or epoch milliseconds (a number of at least 1e12, that is after September 2001).
   */
  deadline?: Duration | Date | undefined;
  /** Called with the counts after each write batch settles, and once at the end. Errors it throws are ignored. */
  onProgress?: ((progress: WarmProgress) => void) | undefined;
  /** How many errors the report keeps (the counts are always complete). @default 100 */
  maxErrors?: number | undefined;
  /** The time source for the deadline, copied expiries and durations. @default the system clock */
  clock?: Clock | undefined;
  /** Random numbers in [0, 1) for TTL jitter and backoff jitter. @default Math.random */
  random?: (() => number) | undefined;
  /** The timers of backoffs and of the deadline. @default the platform's */
  timers?: Timers | undefined;
}

/** {@link WarmOptions} checked, with defaults and parsed durations. */
export interface ResolvedWarmOptions {
  readonly concurrency: number;
  readonly batchSize: number;
  /** In ms; `Infinity` for never; `undefined` for the cache's `defaultTtl`. */
  readonly ttl: number | undefined;
  readonly ttlJitter: number;
  readonly tags: readonly string[];
  readonly mode: WarmMode;
  readonly retry: RetryPolicy;
  readonly signal: PlatformAbortSignal | undefined;
  readonly deadline: Duration | Date | undefined;
  readonly onProgress: ((progress: WarmProgress) => void) | undefined;
  readonly maxErrors: number;
  readonly clock: Clock;
}

const NAMES = new Set([
  'concurrency',
  'batchSize',
  'ttl',
  'ttlJitter',
  'tags',
  'mode',
  'retries',
  'retryDelay',
  'maxRetryDelay',
  'signal',
  'deadline',
  'onProgress',
  'maxErrors',
  'clock',
  'random',
  'timers',
]);

/** Epoch milliseconds start here: a smaller number is a duration. */
const EPOCH_THRESHOLD = 1e12;

function nonNegativeInteger(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new CacheConfigError(`${what} must be a non-negative integer, got ${String(value)}`);
  return value;
}

function fn<T>(value: unknown, what: string): T | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new CacheConfigError(`${what} must be a function`);
  return value as T | undefined;
}

/**
 * Checks `options` and fills in the defaults.
 * @throws CacheConfigError for an unknown option or a bad value.
 */
export function resolveWarmOptions(options: WarmOptions | undefined, what = 'warm'): ResolvedWarmOptions {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options)))
    throw new CacheConfigError(`${what} options must be an object`);
  const o = options ?? {};
  checkOptionNames(o, NAMES, what, false);
  const mode = o.mode ?? 'fill-missing';
  if (mode !== 'fill-missing' && mode !== 'overwrite')
    throw new CacheConfigError(`mode must be 'fill-missing' or 'overwrite', got ${String(mode)}`);
  const ttlJitter = o.ttlJitter ?? 0;
  if (typeof ttlJitter !== 'number' || !(ttlJitter >= 0 && ttlJitter <= 1))
    throw new CacheConfigError(`ttlJitter must be a number from 0 to 1, got ${String(ttlJitter)}`);
  const ttl = o.ttl === undefined ? undefined : parseLifetime(o.ttl, 'ttl');
  if (ttlJitter > 0 && (ttl === undefined || ttl === Number.POSITIVE_INFINITY))
    throw new CacheConfigError('ttlJitter needs a finite ttl');
  if (o.tags !== undefined) validateTags(o.tags);
  const baseDelay = parseTimerDuration(o.retryDelay ?? 100, 'retryDelay');
  const maxDelay = parseTimerDuration(o.maxRetryDelay ?? 10_000, 'maxRetryDelay');
  const clock = o.clock ?? systemClock;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function')
    throw new CacheConfigError('clock must have a now() method');
  const timers = o.timers ?? systemTimers;
  if (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function')
    throw new CacheConfigError('timers must have setTimeout and clearTimeout');
  const signal = o.signal;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || !('aborted' in signal)))
    throw new CacheConfigError('signal must be an AbortSignal');
  if (o.deadline !== undefined) deadlineAt(o.deadline, 0);
  return {
    concurrency: parsePositiveInteger(o.concurrency, 'concurrency') ?? 8,
    batchSize: parsePositiveInteger(o.batchSize, 'batchSize') ?? 100,
    ttl,
    ttlJitter,
    tags: o.tags ?? [],
    mode,
    retry: {
      retries: nonNegativeInteger(o.retries, 'retries', 2),
      baseDelay,
      maxDelay,
      random: fn<() => number>(o.random, 'random') ?? Math.random,
      timers,
    },
    signal,
    deadline: o.deadline,
    onProgress: fn(o.onProgress, 'onProgress'),
    maxErrors: nonNegativeInteger(o.maxErrors, 'maxErrors', 100),
    clock,
  };
}

/**
 * The epoch ms at which a run that began at `start` must stop.
 * @throws CacheConfigError for a deadline that is neither a duration, a valid `Date` nor epoch ms.
 */
export function deadlineAt(deadline: Duration | Date, start: number): number {
  if (deadline instanceof Date) {
    const at = deadline.getTime();
    if (!Number.isFinite(at)) throw new CacheConfigError('deadline is an invalid Date');
    return at;
  }
  if (typeof deadline === 'number' && Number.isFinite(deadline) && deadline >= EPOCH_THRESHOLD)
    return deadline;
  return start + parseDuration(deadline, 'deadline');
}
