import { CacheConfigError } from '@cache/core';
import { checkWellFormed } from '@cache/core/backend';

/**
 * ASCII characters a name keeps as they are: letters, digits and `-._~` (the unreserved
 * characters of RFC 3986). Every other ASCII character, `%` included, is percent-encoded.
 */
const KEPT = /^[A-Za-z0-9\-._~]$/;

/** Upper-case `%XX` of every ASCII code unit, or `undefined` where the name keeps the character. */
const ESCAPES: (string | undefined)[] = Array.from({ length: 128 }, (_, code) => {
  const char = String.fromCharCode(code);
  return KEPT.test(char) ? undefined : `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
});

/** Whether `separator` is one ASCII character that no encoded name holds. */
function isSeparator(separator: string): boolean {
  if (separator.length !== 1) return false;
  const code = separator.charCodeAt(0);
  return code < 128 && separator !== '%' && ESCAPES[code] !== undefined;
}

/**
 * The inner-cache prefix of a namespace: the encoded name, then the separator.
 *
 * The name keeps letters, digits, `-._~` and every non-ASCII character; every other ASCII
 * character (`%`, `:`, `/`, `*`, spaces, control characters...) becomes `%XX`. A separator is one
 * ASCII character that an encoded name never holds (not a letter, a digit, `%` or `-._~`). So the
 * first separator character in a prefix is its separator and ends it: two prefixes of different
 * (name, separator) pairs differ before either ends, and neither is a prefix of the other,
 * whatever the names and separators (`users:` never owns the keys of `users%3Ax:`, of `users/` or
 * of `users2:`). Nested namespaces add one such prefix per level, so two chains of namespaces are
 * disjoint unless one is an ancestor of the other (whose `clear()` then covers it, by design).
 *
 * @throws CacheConfigError for an empty or non-string name, or a separator that is not one such
 *   character; CacheKeyError (`CACHE_KEY_INVALID`) for a name or separator that is not
 *   well-formed UTF-16 (its UTF-8 bytes would name another namespace on files and Redis).
 */
export function namespacePrefix(namespace: unknown, separator: unknown): string {
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new CacheConfigError('a namespace must be a non-empty string');
  }
  if (typeof separator !== 'string') throw new CacheConfigError('separator must be a string');
  checkWellFormed(namespace, 'a namespace');
  checkWellFormed(separator, 'a separator');
  if (!isSeparator(separator)) {
    throw new CacheConfigError(
      'separator must be one ASCII character other than a letter, a digit, %, -, ., _ and ~',
    );
  }
  let encoded = '';
  let start = 0;
  for (let i = 0; i < namespace.length; i++) {
    const code = namespace.charCodeAt(i);
    const percent = code < 128 ? ESCAPES[code] : undefined;
    if (percent === undefined) continue;
    encoded += namespace.slice(start, i) + percent;
    start = i + 1;
  }
  return encoded + namespace.slice(start) + separator;
}
