import type { BackendOptions } from '@cache/core/backend';
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
