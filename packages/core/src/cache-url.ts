import { isAbsolute, resolve } from 'node:path';
import { CacheConfigError } from './errors.js';
import type { PlatformURLSearchParams } from './platform.js';

/** A cache URL taken apart: its scheme, what follows `//` up to the query, and the query. */
export interface CacheUrlParts {
  scheme: string;
  rest: string;
  query: PlatformURLSearchParams;
}

/** @throws CacheConfigError for a string that is not `scheme://...`. */
export function splitCacheUrl(url: string): CacheUrlParts {
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

/**
 * Turns a cache URL into a configuration; options come as query parameters.
 * `memory://`, `file:///abs/dir`, `file://./rel/dir`, `redis://host:port/db`, `rediss://...`
 * (the Redis URL itself is passed on as `url`, without the cache's own query parameters).
 * Another scheme names a registered backend, which gets the query options only (`createCache`
 * hands the whole URL to a backend that exports `optionsFromUrl`).
 * @throws CacheConfigError for a malformed URL, or a host or path that the scheme does not take.
 */
export function parseCacheUrl(url: string): { backend: string; [option: string]: unknown } {
  const { scheme, rest, query } = splitCacheUrl(url);
  const options = queryOptions(query);
  switch (scheme) {
    case 'file': {
      if (rest === '')
        throw new CacheConfigError('file:// needs a directory: file:///abs/dir or file://./rel/dir');
      let dir: string;
      try {
        dir = decodeURIComponent(rest);
      } catch (cause) {
        throw new CacheConfigError(`${JSON.stringify(url)} has a malformed path`, { cause });
      }
      if (dir.startsWith('localhost/')) dir = dir.slice('localhost'.length);
      return { ...options, backend: 'file', dir: isAbsolute(dir) ? dir : resolve(dir) };
    }
    case 'redis':
    case 'rediss':
      return { ...options, backend: 'redis', url: `${scheme}://${rest}` };
    default:
      if (rest !== '') {
        throw new CacheConfigError(
          `${scheme}:// takes no host or path here, got ${JSON.stringify(rest)} (a backend reads them by exporting optionsFromUrl)`,
        );
      }
      return { ...options, backend: scheme };
  }
}
