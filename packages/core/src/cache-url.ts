/**
 * Cache URLs, the part every backend shares: the scheme names the backend, the query holds
 * options. What a host or a path means is the backend's own business (`optionsFromUrl`).
 */
import { backendOfScheme, loadBackend, type OptionsFromUrl } from './backends.js';
import { CacheConfigError } from './errors.js';
import type { PlatformURL, PlatformURLSearchParams } from './platform.js';

/** A cache URL taken apart as written: its scheme, what follows `//` up to the query, and the query. */
export interface CacheUrlParts {
  /** The scheme in lowercase (`file`, `redis`, `rediss`). */
  scheme: string;
  /** What follows `//` up to the query, not decoded (`./rel/dir`, `:pw@host:6379/2`). */
  rest: string;
  /** The query's parameters. */
  query: PlatformURLSearchParams;
}

/** @throws CacheConfigError for a string that is not `scheme://...`. */
function splitCacheUrl(url: string): CacheUrlParts {
  if (typeof url !== 'string') throw new CacheConfigError('a cache URL must be a string');
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^?#]*)(?:\?([^#]*))?$/i.exec(url.trim());
  if (!match)
    throw new CacheConfigError(`${JSON.stringify(url)} is not a cache URL (memory://, file://, redis://)`);
  return {
    scheme: (match[1] as string).toLowerCase(),
    rest: match[2] as string,
    query: new URLSearchParams(match[3] ?? ''),
  };
}

/**
 * The query of a cache URL as options: `true`/`false` become booleans and decimal numbers
 * numbers; anything else stays a string, which the backend reads (`500MB`, `5m`, `0o640`).
 */
export function queryOptions(query: PlatformURLSearchParams): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, value] of query) {
    options[name] =
      value === 'true'
        ? true
        : value === 'false'
          ? false
          : /^-?\d+(\.\d+)?$/.test(value)
            ? Number(value)
            : value;
  }
  return options;
}

/** @throws CacheConfigError for a string that the URL standard does not parse. */
function standardUrl(url: string): PlatformURL {
  try {
    return new URL(url.trim());
  } catch (cause) {
    throw new CacheConfigError(`${JSON.stringify(url)} is not a valid URL`, { cause });
  }
}

/**
 * Turns a cache URL into a configuration. The scheme names the backend (`rediss` is the redis
 * backend). Given the backend's `optionsFromUrl`, that reads the whole URL; without it, the
 * options are the query's ({@link queryOptions}) and the URL may have no host or path.
 *
 * @example
 * parseCacheUrl('memory://?maxEntries=1000&defaultTtl=5m');
 * // { backend: 'memory', maxEntries: 1000, defaultTtl: '5m' }
 * @throws CacheConfigError for a malformed URL, a host or path without `optionsFromUrl`, or what
 *   `optionsFromUrl` refuses.
 */
export function parseCacheUrl(
  url: string,
  optionsFromUrl?: OptionsFromUrl,
): { backend: string; [option: string]: unknown } {
  const parts = splitCacheUrl(url);
  const backend = backendOfScheme(parts.scheme);
  if (optionsFromUrl) return { ...optionsFromUrl(standardUrl(url), parts), backend };
  if (parts.rest !== '') {
    throw new CacheConfigError(
      `${parts.scheme}:// takes no host or path here, got ${JSON.stringify(parts.rest)} (a backend reads them by exporting optionsFromUrl)`,
    );
  }
  return { ...queryOptions(parts.query), backend };
}

/**
 * The configuration of a cache URL, read by its backend: loads the backend that the scheme names
 * and parses the URL with its `optionsFromUrl` ({@link parseCacheUrl}). What `createCache` does
 * with a URL, for tools that adjust the configuration before they create the cache.
 *
 * @example
 * await configFromUrl('file://./.cache?maxBytes=500MB');
 * // { backend: 'file', dir: '/srv/app/.cache', maxBytes: '500MB' }
 * @throws CacheConfigError for a malformed URL, an unknown backend, a package that is not
 *   installed, or a URL that the backend refuses.
 */
export async function configFromUrl(url: string): Promise<{ backend: string; [option: string]: unknown }> {
  const backend = await loadBackend(backendOfScheme(splitCacheUrl(url).scheme));
  return parseCacheUrl(url, backend.optionsFromUrl);
}
