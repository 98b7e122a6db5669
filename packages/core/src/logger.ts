import { CacheConfigError, type CacheError } from './errors.js';
import type { Cache } from './types.js';

/** A logger as pino, bunyan or `console` shape it: `(object, message)` per level. */
export interface CacheLogger {
  warn?: ((details: object, message: string) => void) | undefined;
  error?: ((details: object, message: string) => void) | undefined;
}

/** Options of {@link attachLogger}. */
export interface AttachLoggerOptions {
  /**
   * The level of each error. @default 'error' for every error (`'warn'` when the logger has no
   * `error` method)
   */
  level?: ((error: CacheError) => 'warn' | 'error') | undefined;
}

/** What {@link attachLogger} logs with each error: the first argument of the logger call. */
export interface CacheLogDetails {
  /** The cache's name. */
  cache: string;
  /** The error's `code`. */
  code: string;
  /** The key the error is about, when there is one. */
  key?: string;
  /** The error itself, under pino's key for errors. */
  err: CacheError;
}

/**
 * Sends every error a cache reports to a logger: failed operations and the errors it absorbs
 * (a background refresh that failed, a value served stale because its factory threw, a backend
 * bypassed, a failed sweep or snapshot, a tier or bus failure of a composition), so that no
 * swallowed error goes unseen. Each becomes one call `logger.error({ cache, code, key?, err },
 * message)`.
 *
 * @example
 * const detach = attachLogger(cache, pino());
 * // later
 * detach();
 * @returns the function that detaches the logger.
 * @throws CacheConfigError when the logger has neither `warn` nor `error`.
 */
export function attachLogger<V>(
  cache: Cache<V>,
  logger: CacheLogger,
  options: AttachLoggerOptions = {},
): () => void {
  if (logger === null || typeof logger !== 'object')
    throw new CacheConfigError('attachLogger takes a logger object');
  const warn = typeof logger.warn === 'function' ? logger.warn.bind(logger) : undefined;
  const error = typeof logger.error === 'function' ? logger.error.bind(logger) : undefined;
  if (!warn && !error) throw new CacheConfigError('the logger needs a warn or an error method');
  const level = options.level;
  if (level !== undefined && typeof level !== 'function')
    throw new CacheConfigError('level must be a function of the error');
  return cache.on('error', (event) => {
    const details: CacheLogDetails = { cache: cache.name, code: event.error.code, err: event.error };
    if (event.key !== undefined) details.key = event.key;
    const message = `cache ${cache.name}: ${event.error.message}`;
    const wanted = level ? level(event.error) : 'error';
    const log = wanted === 'warn' ? (warn ?? error) : (error ?? warn);
    log?.(details, message);
  });
}
