/**
 * The error hierarchy of the toolkit. Every error thrown by a cache is a {@link CacheError}
 * with a stable `code`; errors that wrap another carry it as `cause`.
 */

/** The stable codes of {@link CacheError} and its subclasses. */
export const CacheErrorCode = {
  error: 'CACHE_ERROR',
  keyInvalid: 'CACHE_KEY_INVALID',
  keyMissing: 'CACHE_KEY_MISSING',
  keyExpired: 'CACHE_KEY_EXPIRED',
  full: 'CACHE_FULL',
  connection: 'CACHE_CONNECTION',
  timeout: 'CACHE_TIMEOUT',
  serialization: 'CACHE_SERIALIZATION',
  invalidation: 'CACHE_INVALIDATION',
  config: 'CACHE_CONFIG',
} as const;

/** One of the codes in {@link CacheErrorCode}. */
export type CacheErrorCode = (typeof CacheErrorCode)[keyof typeof CacheErrorCode];

/** Options shared by every error constructor. */
export interface CacheErrorOptions {
  /** The error this one wraps. */
  cause?: unknown;
  /** The key the failed operation was about, when there is one. */
  key?: string | undefined;
}

/** Base class of every error the toolkit throws. Code `CACHE_ERROR`. */
export class CacheError extends Error {
  /** A stable, machine-readable code; assert on this, never on the message. */
  readonly code: CacheErrorCode;
  /** The key the failed operation was about, when there is one. */
  readonly key: string | undefined;

  constructor(message: string, options: CacheErrorOptions = {}, code: CacheErrorCode = CacheErrorCode.error) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.key = options.key;
  }
}

/** A key is invalid (`CACHE_KEY_INVALID`), or `getOrThrow` found no entry (`CACHE_KEY_MISSING`). */
export class CacheKeyError extends CacheError {
  constructor(
    message: string,
    options: CacheErrorOptions = {},
    code: CacheErrorCode = CacheErrorCode.keyInvalid,
  ) {
    super(message, options, code);
  }
}

/** `getOrThrow` found an entry that is known to have expired. Code `CACHE_KEY_EXPIRED`. */
export class CacheExpiredError extends CacheKeyError {
  constructor(message: string, options: CacheErrorOptions = {}) {
    super(message, options, CacheErrorCode.keyExpired);
  }
}

/** An entry is larger than the byte limit, or the cache is full with eviction off. Code `CACHE_FULL`. */
export class CacheFullError extends CacheError {
  constructor(message: string, options: CacheErrorOptions = {}) {
    super(message, options, CacheErrorCode.full);
  }
}

/** The backend cannot be reached. Code `CACHE_CONNECTION`. */
export class CacheConnectionError extends CacheError {
  constructor(message: string, options: CacheErrorOptions = {}) {
    super(message, options, CacheErrorCode.connection);
  }
}

/** A backend command or a factory ran past its time limit. Code `CACHE_TIMEOUT`. */
export class CacheTimeoutError extends CacheError {
  constructor(message: string, options: CacheErrorOptions = {}) {
    super(message, options, CacheErrorCode.timeout);
  }
}

/** A value cannot be encoded, or stored bytes cannot be decoded. Code `CACHE_SERIALIZATION`. */
export class CacheSerializationError extends CacheError {
  constructor(message: string, options: CacheErrorOptions = {}) {
    super(message, options, CacheErrorCode.serialization);
  }
}

/** Tag or pattern invalidation failed. Code `CACHE_INVALIDATION`. */
export class CacheInvalidationError extends CacheError {
  constructor(message: string, options: CacheErrorOptions = {}) {
    super(message, options, CacheErrorCode.invalidation);
  }
}

/** Bad options or arguments, an unknown backend, or a backend package that is not installed. Code `CACHE_CONFIG`. */
export class CacheConfigError extends CacheError {
  constructor(message: string, options: CacheErrorOptions = {}) {
    super(message, options, CacheErrorCode.config);
  }
}

/** Wraps any thrown value in a {@link CacheError} (returned as is when it already is one). */
export function toCacheError(error: unknown, message = 'cache operation failed', key?: string): CacheError {
  if (error instanceof CacheError) return error;
  return new CacheError(
    `${message}: ${error instanceof Error ? error.message : String(error)}`,
    key === undefined ? { cause: error } : { cause: error, key },
  );
}
