import { CacheError, type CacheErrorCode, type CacheErrorOptions } from '@cache/core';
import { toCacheError } from '@cache/core/backend';

type ErrorClass = new (message: string, options: CacheErrorOptions, code?: CacheErrorCode) => CacheError;

/**
 * `error` as a `CacheError` that names `key`: a `CacheError` without a key becomes one of the same
 * class and code wrapping it (as `cause`); anything else is wrapped by `toCacheError`.
 */
export function keyedError(error: unknown, message: string, key: string | undefined): CacheError {
  if (!(error instanceof CacheError)) return toCacheError(error, message, key);
  if (key === undefined || error.key !== undefined) return error;
  const Class = (Object.getPrototypeOf(error) as { constructor: unknown }).constructor as ErrorClass;
  try {
    const keyed = new Class(error.message, { cause: error, key }, error.code);
    if (keyed instanceof CacheError && keyed.code === error.code) return keyed;
  } catch {
    // A subclass whose constructor takes other arguments keeps its error as is.
  }
  return error;
}
