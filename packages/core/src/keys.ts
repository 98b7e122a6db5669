import { CacheKeyError } from './errors.js';

/** The default limit of a key's length in UTF-8 bytes. */
export const DEFAULT_MAX_KEY_BYTES = 1024;

/**
 * Checks a key: a non-empty string of at most `maxKeyBytes` UTF-8 bytes. Any character is allowed.
 * @throws CacheKeyError (`CACHE_KEY_INVALID`)
 */
export function validateKey(
  key: unknown,
  maxKeyBytes: number = DEFAULT_MAX_KEY_BYTES,
): asserts key is string {
  if (typeof key !== 'string') throw new CacheKeyError(`a key must be a string, got ${typeof key}`);
  const length = key.length;
  // A UTF-16 unit is at most 3 UTF-8 bytes: short keys need no byte count.
  if (length === 0 || (length * 3 > maxKeyBytes && Buffer.byteLength(key, 'utf8') > maxKeyBytes)) {
    throw new CacheKeyError(
      length === 0 ? 'a key must not be empty' : `a key must be at most ${maxKeyBytes} UTF-8 bytes`,
      { key: key.slice(0, 64) },
    );
  }
}

/** Checks a list of keys (see {@link validateKey}). */
export function validateKeys(
  keys: readonly unknown[],
  maxKeyBytes?: number,
): asserts keys is readonly string[] {
  if (!Array.isArray(keys)) throw new CacheKeyError('keys must be an array of strings');
  for (const key of keys) validateKey(key, maxKeyBytes);
}

/**
 * Turns a glob (`*` any run of characters, `?` exactly one, everything else literal) into an
 * anchored regular expression. There is no escape character: other characters match themselves.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    // Only syntax characters may be escaped under the `u` flag (`\-` is a SyntaxError there).
    else source += char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'u');
}

/** The longest literal prefix of a glob (what comes before its first `*` or `?`). */
export function globPrefix(pattern: string): string {
  const index = pattern.search(/[*?]/);
  return index === -1 ? pattern : pattern.slice(0, index);
}
