/**
 * The error hierarchy of the toolkit. Every error thrown by a cache is a {@link CacheError}
 * with a stable `code`; errors that wrap another carry it as `cause`.
 *
 * `instanceof` holds across copies of `@cache/core` in one process (its CommonJS and ES module
 * builds, loaded by `require` in one place and `import` in another, or two versions in one
 * dependency tree): every error of every copy carries a registered-symbol brand on its
 * prototype, and each class of the hierarchy accepts a branded error whose `code` is one of its
 * own (`CacheKeyError`: `CACHE_KEY_INVALID`, `CACHE_KEY_MISSING`, `CACHE_KEY_EXPIRED`; `CacheError`:
 * any). Classes that extend these keep the plain prototype check.
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

/** The brand of every {@link CacheError}, the same symbol in every copy of `@cache/core`. */
const BRAND: unique symbol = Symbol.for('@cache/core:error');

/** Whether `value` is an error made by some copy of `@cache/core` (its prototype chain has the brand). */
function isBranded(value: unknown): value is CacheError {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/**
 * The codes each class of the hierarchy accepts from a branded error of another copy; `null`:
 * every code. A class that is not here (one that extends these) checks prototypes only.
 */
const FAMILIES = new Map<object, ReadonlySet<string> | null>();

/** `value instanceof target` for a class of the hierarchy or one that extends it. */
function isInstance(target: object, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(target, value)) return true;
  const family = FAMILIES.get(target);
  if (family === undefined || !isBranded(value)) return false;
  return family === null || family.has(value.code);
}

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

  /**
   * `value instanceof` this class: by prototype, or, for an error of another copy of
   * `@cache/core`, by its brand and its `code`.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: the class on the right of `instanceof`, maybe a subclass.
    return isInstance(this, value);
  }
}

Object.defineProperty(CacheError.prototype, BRAND, { value: true });

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

FAMILIES.set(CacheError, null);
FAMILIES.set(
  CacheKeyError,
  new Set([CacheErrorCode.keyInvalid, CacheErrorCode.keyMissing, CacheErrorCode.keyExpired]),
);
FAMILIES.set(CacheExpiredError, new Set([CacheErrorCode.keyExpired]));
FAMILIES.set(CacheFullError, new Set([CacheErrorCode.full]));
FAMILIES.set(CacheConnectionError, new Set([CacheErrorCode.connection]));
FAMILIES.set(CacheTimeoutError, new Set([CacheErrorCode.timeout]));
FAMILIES.set(CacheSerializationError, new Set([CacheErrorCode.serialization]));
FAMILIES.set(CacheInvalidationError, new Set([CacheErrorCode.invalidation]));
FAMILIES.set(CacheConfigError, new Set([CacheErrorCode.config]));

/** The error of an operation on a closed cache: one message for every backend and wrapper. */
export function closedError(name: string): CacheConfigError {
  return new CacheConfigError(`cache ${name} is closed`);
}

/** The error of a write of `undefined`: a cached `undefined` could not be told from a miss. */
export function undefinedValueError(key?: string): CacheSerializationError {
  return new CacheSerializationError(
    'undefined cannot be cached: it cannot be told from a miss',
    key === undefined ? {} : { key },
  );
}

/**
 * Whether `value` is a {@link CacheError} (of any copy of `@cache/core` in the process), and,
 * with `code`, one with that code. The same as `instanceof CacheError` plus a `code` check,
 * without needing the class.
 *
 * @example
 * try { await cache.getOrThrow('user:1'); }
 * catch (error) { if (!isCacheError(error, CacheErrorCode.keyMissing)) throw error; }
 */
export function isCacheError<C extends CacheErrorCode = CacheErrorCode>(
  value: unknown,
  code?: C,
): value is CacheError & { readonly code: C } {
  return (
    (value instanceof CacheError || isBranded(value)) &&
    (code === undefined || (value as { code: unknown }).code === code)
  );
}

/** Wraps any thrown value in a {@link CacheError} (returned as is when it already is one). */
export function toCacheError(error: unknown, message = 'cache operation failed', key?: string): CacheError {
  if (error instanceof CacheError) return error;
  return new CacheError(
    `${message}: ${error instanceof Error ? error.message : String(error)}`,
    key === undefined ? { cause: error } : { cause: error, key },
  );
}
