/**
 * Redis MATCH patterns built from literal text and from the toolkit's globs. Redis globs give
 * `*`, `?`, `[`, `]` and `\` a meaning; a literal (the cache prefix, a namespace) has each of
 * them escaped with a backslash so that it matches only itself.
 */

const SPECIAL = /[*?[\]\\]/g;

/** Escapes the glob characters of a literal so that a Redis MATCH pattern matches it exactly. */
export function escapeMatch(literal: string): string {
  return literal.replace(SPECIAL, '\\$&');
}

/**
 * Turns a toolkit glob (`*` any run of characters, `?` exactly one character, everything else
 * literal) into a Redis MATCH pattern. Redis `?` matches one byte, not one character, so `?`
 * becomes `*` here: the pattern selects a superset that the caller then filters exactly with
 * core's `globMatcher`.
 */
export function globToMatch(glob: string): string {
  let out = '';
  for (const char of glob) {
    if (char === '*' || char === '?') out += '*';
    else out += escapeMatch(char);
  }
  return out;
}
