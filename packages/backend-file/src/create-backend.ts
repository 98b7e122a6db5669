import { isAbsolute, resolve } from 'node:path';
import { CacheConfigError } from '@cache/core';
import { type BackendOptions, type OptionsFromUrl, queryOptions } from '@cache/core/backend';
import { FileCache } from './file-cache.js';
import type { FileCacheOptions } from './file-cache-options.js';

/**
 * Reads a mode given as a string: `'0o640'` (write it so in a URL query: `fileMode=0o640`; the
 * URL parser turns a bare `640` into the decimal number 640, which the option check refuses).
 * Numbers pass unchanged.
 */
function octal(value: unknown): unknown {
  if (typeof value === 'string' && /^0o[0-7]{1,4}$/i.test(value)) return Number.parseInt(value.slice(2), 8);
  return value;
}

/**
 * The factory that `createCache` calls for `backend: 'file'` and `file://` URLs
 * (`file:///abs/dir`, `file://./rel/dir?maxEntries=10`).
 */
export function createBackend(options: BackendOptions): FileCache {
  const resolved = { ...options } as Record<string, unknown>;
  if (resolved.fileMode !== undefined) resolved.fileMode = octal(resolved.fileMode);
  if (resolved.dirMode !== undefined) resolved.dirMode = octal(resolved.dirMode);
  return new FileCache(resolved as unknown as FileCacheOptions);
}

/**
 * Reads a `file://` URL for `createCache`: its path is the directory, percent-decoded
 * (`file:///abs/dir`; `file://./rel/dir` against the working directory; `file://localhost/abs/dir`
 * is `file:///abs/dir`), and its query the other options. The path is read as written: the URL
 * standard would take the first part of a relative path for a host.
 * @throws CacheConfigError for a URL without a directory or with a malformed path.
 */
export const optionsFromUrl: OptionsFromUrl = (_url, { rest, query }) => {
  if (rest === '')
    throw new CacheConfigError('file:// needs a directory: file:///abs/dir or file://./rel/dir');
  let dir: string;
  try {
    dir = decodeURIComponent(rest);
  } catch (cause) {
    throw new CacheConfigError(`${JSON.stringify(`file://${rest}`)} has a malformed path`, { cause });
  }
  if (dir.startsWith('localhost/')) dir = dir.slice('localhost'.length);
  return { ...queryOptions(query), dir: isAbsolute(dir) ? dir : resolve(dir) };
};
