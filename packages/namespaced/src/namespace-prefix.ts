import { CacheConfigError } from '@cache/core';

const HEX_OR_PERCENT = /[%0-9A-F]/;

/**
 * The inner-cache prefix of a namespace: the name with `%` and every character of the separator
 * percent-encoded (UTF-8 bytes, upper-case hex), then the separator. The encoded name holds no
 * separator character, so no namespace's prefix starts another's: `users:` never owns the keys
 * of the namespace `users:x` (prefix `users%3Ax:`), and `users` never owns `users2:`.
 *
 * @throws CacheConfigError for an empty or non-string name, or a separator that is empty or holds
 *   `%` or an upper-case hex digit (those would make encoded names ambiguous).
 */
export function namespacePrefix(namespace: unknown, separator: unknown): string {
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new CacheConfigError('a namespace must be a non-empty string');
  }
  if (typeof separator !== 'string' || separator.length === 0 || HEX_OR_PERCENT.test(separator)) {
    throw new CacheConfigError(
      'separator must be a non-empty string without % or upper-case hex digits (0-9, A-F)',
    );
  }
  const special = new Set(['%', ...separator]);
  let encoded = '';
  for (const char of namespace) {
    if (!special.has(char)) encoded += char;
    else
      for (const byte of Buffer.from(char, 'utf8'))
        encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded + separator;
}
