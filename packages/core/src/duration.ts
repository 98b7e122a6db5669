import { CacheConfigError } from './errors.js';

/** A duration: a number of milliseconds, `Infinity`, or a string such as `'250ms' '10s' '5m' '2h' '1d'`. */
export type Duration = number | string;

/** A byte size: a number of bytes, or a string such as `'512B' '64KB' '500MB' '2GB'` (powers of 1024). */
export type ByteSize = number | string;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

/**
 * Parses a {@link Duration} into milliseconds. `Infinity` and `'infinity'` mean never.
 * @throws CacheConfigError for `0`, negatives, `NaN` and strings it cannot parse.
 */
export function parseDuration(value: Duration, what = 'duration'): number {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string') {
    const match = DURATION_RE.exec(value);
    if (match) ms = Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
    else if (/^\s*infinity\s*$/i.test(value)) ms = Number.POSITIVE_INFINITY;
    else if (/^\s*\d+(?:\.\d+)?\s*$/.test(value)) ms = Number(value);
    else
      throw new CacheConfigError(
        `${what} ${JSON.stringify(value)} is not a duration ('250ms', '10s', '5m', '2h', '1d' or milliseconds)`,
      );
  } else {
    throw new CacheConfigError(`${what} must be a number of milliseconds or a string, got ${typeof value}`);
  }
  if (Number.isNaN(ms) || ms <= 0)
    throw new CacheConfigError(`${what} must be positive, got ${String(value)}`);
  return ms;
}

/**
 * The longest delay a timer takes: `setTimeout` and `setInterval` fire after 1 ms for anything
 * longer than 2^31-1 ms (about 24.8 days).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The longest finite lifetime (TTL, stale window): 1,000 years. Sums of lifetimes and the
 * current time stay exact integers, and every store (Redis `PX` included) takes them.
 */
export const MAX_LIFETIME_MS = 1000 * 365.25 * 86_400_000;

/**
 * Parses a lifetime: a {@link Duration} of at most {@link MAX_LIFETIME_MS}, or `Infinity`.
 * @throws CacheConfigError for what {@link parseDuration} refuses and for finite values beyond the limit.
 */
export function parseLifetime(value: Duration, what: string): number {
  const ms = parseDuration(value, what);
  if (ms > MAX_LIFETIME_MS && ms !== Number.POSITIVE_INFINITY)
    throw new CacheConfigError(
      `${what} must be at most 1000 years, or Infinity for never; got ${String(value)}`,
    );
  return ms;
}

/**
 * Parses the delay of a timer (a timeout, an interval, a lease): at most {@link MAX_TIMER_MS}.
 * `Infinity` is refused unless `infinity` says it means "no timer", in which case it is returned.
 * @throws CacheConfigError for what {@link parseDuration} refuses and for delays beyond the limit.
 */
export function parseTimerDuration(
  value: Duration,
  what: string,
  infinity: 'refuse' | 'none' = 'refuse',
): number {
  const ms = parseDuration(value, what);
  if (ms === Number.POSITIVE_INFINITY && infinity === 'none') return ms;
  if (ms > MAX_TIMER_MS)
    throw new CacheConfigError(
      `${what} must be at most ${MAX_TIMER_MS} ms (about 24.8 days)${infinity === 'none' ? ', or Infinity for none' : ''}; got ${String(value)}`,
    );
  return ms;
}

/** How often backends sweep expired entries by default (`sweepInterval`): one minute. */
export const DEFAULT_SWEEP_INTERVAL = 60_000;

/**
 * Parses an interval option whose timer can be turned off (`sweepInterval`, a snapshot's
 * `interval`): absent gives `fallback`; `false` or `Infinity` give `undefined` (no timer);
 * anything else is a timer delay.
 * @throws CacheConfigError for what {@link parseTimerDuration} refuses.
 */
export function parseInterval(
  value: Duration | false | undefined,
  fallback: number | undefined,
  what: string,
): number | undefined {
  if (value === undefined) return fallback;
  if (value === false) return undefined;
  const ms = parseTimerDuration(value, what, 'none');
  return ms === Number.POSITIVE_INFINITY ? undefined : ms;
}

/** Parses an optional TTL; `undefined` stays `undefined`, `Infinity` becomes `undefined` (never). */
export function parseTtl(value: Duration | undefined, what = 'ttl'): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseLifetime(value, what);
  return ms === Number.POSITIVE_INFINITY ? undefined : ms;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
const SIZE_RE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?\s*$/i;

/**
 * Parses a {@link ByteSize} into a whole number of bytes.
 * @throws CacheConfigError for zero, negatives, `NaN` and strings it cannot parse.
 */
export function parseByteSize(value: ByteSize, what = 'size'): number {
  let bytes: number;
  if (typeof value === 'number') bytes = value;
  else if (typeof value === 'string') {
    const match = SIZE_RE.exec(value);
    if (!match)
      throw new CacheConfigError(`${what} ${JSON.stringify(value)} is not a size ('64KB', '500MB' or bytes)`);
    const unit = (match[2] ?? 'b').toLowerCase().replace('i', '');
    bytes = Number(match[1]) * (SIZE_UNITS[unit] as number);
  } else throw new CacheConfigError(`${what} must be a number of bytes or a string, got ${typeof value}`);
  // A size under one byte would floor to 0 (no room at all): refused, not rounded.
  if (!(bytes >= 1) || !Number.isFinite(bytes))
    throw new CacheConfigError(`${what} must be a size of at least 1 byte, got ${String(value)}`);
  return Math.floor(bytes);
}

/** Checks an optional positive integer option (`maxEntries` and the like). */
export function parsePositiveInteger(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
    throw new CacheConfigError(`${what} must be a positive integer, got ${String(value)}`);
  }
  return n;
}
