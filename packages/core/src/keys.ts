/**
 * Key, tag and name checks, and the glob matcher every backend and wrapper uses.
 *
 * Every string that a backend turns into bytes (keys, tags, prefixes, namespace names, globs)
 * must be well-formed UTF-16: UTF-8 encoding turns each lone surrogate into U+FFFD, so
 * `'a\uD800'`, `'a\uDC00'` and `'a\uFFFD'` would be one entry on files and Redis while memory
 * keeps them apart. Refusing them everywhere keeps distinct keys distinct on every backend.
 */
import { CacheConfigError, CacheKeyError } from './errors.js';

/** The default limit of a key's length in UTF-8 bytes. */
export const DEFAULT_MAX_KEY_BYTES = 1024;

/** The limit of a tag's length in UTF-8 bytes. */
export const MAX_TAG_BYTES = 1024;

/**
 * Checks that a string is well-formed UTF-16 (no lone surrogate), so that its UTF-8 bytes
 * name it and nothing else.
 * @throws CacheKeyError (`CACHE_KEY_INVALID`) naming `what`.
 */
export function checkWellFormed(value: string, what: string): void {
  if (!value.isWellFormed()) {
    throw new CacheKeyError(`${what} must be well-formed UTF-16 (it holds a lone surrogate)`, {
      key: value.slice(0, 64),
    });
  }
}

/**
 * Checks a key: a non-empty, well-formed string of at most `maxKeyBytes` UTF-8 bytes. Any
 * character is allowed.
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
  checkWellFormed(key, 'a key');
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
 * Checks a list of tags and returns it without duplicates: non-empty strings of at most
 * {@link MAX_TAG_BYTES} UTF-8 bytes.
 * @throws CacheConfigError for a list that is not an array of non-empty strings or a tag too
 *   long; CacheKeyError (`CACHE_KEY_INVALID`) for a tag that is not well-formed UTF-16.
 */
export function validateTags(tags: unknown): readonly string[] {
  if (!Array.isArray(tags)) throw new CacheConfigError('tags must be an array of strings');
  for (const tag of tags as unknown[]) {
    if (typeof tag !== 'string' || tag.length === 0)
      throw new CacheConfigError('each tag must be a non-empty string');
    if (tag.length * 3 > MAX_TAG_BYTES && Buffer.byteLength(tag) > MAX_TAG_BYTES)
      throw new CacheConfigError(`a tag must be at most ${MAX_TAG_BYTES} UTF-8 bytes`);
    checkWellFormed(tag, 'a tag');
  }
  return tags.length > 1 ? [...new Set(tags as string[])] : (tags as string[]);
}

/**
 * Checks an optional key prefix (`keys({ prefix })`, `clear({ prefix })`, a backend's own
 * prefix option): a string, well-formed; `''` means none.
 * @throws CacheConfigError for a non-string; CacheKeyError for a lone surrogate.
 */
export function validatePrefix(prefix: unknown, what = 'prefix'): string | undefined {
  if (prefix === undefined) return undefined;
  if (typeof prefix !== 'string') throw new CacheConfigError(`${what} must be a string`);
  checkWellFormed(prefix, what);
  return prefix === '' ? undefined : prefix;
}

/**
 * Checks the glob of a `deleteMatching`: a non-empty string, well-formed. The one check of a
 * pattern, shared by `BaseCache` and the wrappers that implement `deleteMatching` themselves.
 * @throws CacheConfigError for a non-string or `''`; CacheKeyError for a lone surrogate.
 */
export function validateGlobPattern(pattern: unknown): asserts pattern is string {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new CacheConfigError('deleteMatching takes a non-empty glob pattern');
  }
  checkWellFormed(pattern, 'a pattern');
}

/**
 * Compiles a glob (`*` any run of characters, `?` exactly one character, everything else
 * literal; no escape character) into a predicate. Matching never backtracks: the pattern is
 * split at its stars, the first piece is matched at the start, the last at the end, and each
 * piece between at its leftmost place after the previous one, which is optimal for globs.
 * A key is checked in O(key length × pattern length) at worst, whatever the pattern.
 * @throws CacheConfigError for a pattern that is not a string; CacheKeyError for a lone surrogate.
 */
export function globMatcher(pattern: string): (text: string) => boolean {
  if (typeof pattern !== 'string') throw new CacheConfigError('a pattern must be a string');
  checkWellFormed(pattern, 'a pattern');
  const pieces = pattern.split('*').map((piece) => Array.from(piece));
  const hasQuestion = pattern.includes('?');
  if (pieces.length === 1) {
    if (!hasQuestion) return (text) => text === pattern;
    const only = pieces[0] as string[];
    return (text) => {
      const chars = Array.from(text);
      return chars.length === only.length && matchesAt(chars, 0, only);
    };
  }
  const first = pieces[0] as string[];
  const last = pieces[pieces.length - 1] as string[];
  const middle = pieces.slice(1, -1).filter((piece) => piece.length > 0);
  if (!hasQuestion) {
    const head = first.join('');
    const tail = last.join('');
    const inner = middle.map((piece) => piece.join(''));
    return (text) => {
      if (text.length < head.length + tail.length || !text.startsWith(head) || !text.endsWith(tail))
        return false;
      let at = head.length;
      const end = text.length - tail.length;
      for (const piece of inner) {
        const found = text.indexOf(piece, at);
        if (found === -1 || found + piece.length > end) return false;
        at = found + piece.length;
      }
      return true;
    };
  }
  return (text) => {
    const chars = Array.from(text);
    const end = chars.length - last.length;
    if (end < first.length || !matchesAt(chars, 0, first) || !matchesAt(chars, end, last)) return false;
    let at = first.length;
    for (const piece of middle) {
      let found = -1;
      for (let i = at; i + piece.length <= end; i++) {
        if (matchesAt(chars, i, piece)) {
          found = i;
          break;
        }
      }
      if (found === -1) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/** Whether `piece` (with `?` for any one character) matches `chars` at `at`. */
function matchesAt(chars: readonly string[], at: number, piece: readonly string[]): boolean {
  for (let i = 0; i < piece.length; i++) {
    const p = piece[i];
    if (p !== '?' && p !== chars[at + i]) return false;
  }
  return true;
}

/** The longest literal prefix of a glob (what comes before its first `*` or `?`). */
export function globPrefix(pattern: string): string {
  const index = pattern.search(/[*?]/);
  return index === -1 ? pattern : pattern.slice(0, index);
}

/**
 * The scan-match-remove of a glob: the default `removeMatching` of `BaseCache`, and the body of
 * `deleteMatching` in wrappers that match within their own keys. Scans the keys under the
 * glob's literal prefix ({@link globPrefix}), keeps those the glob matches ({@link globMatcher}),
 * each once, and removes them in one call. The pattern is not checked here beyond what
 * `globMatcher` refuses: check it first with `validateGlobPattern`.
 * @param scanKeys lists the keys that start with a prefix (`undefined`: every key).
 * @param removeEntries removes keys; returns the removed ones or their number.
 * @returns `[]` when nothing matched, else what `removeEntries` returned.
 */
export async function removeMatchingKeys(
  scanKeys: (prefix: string | undefined) => AsyncIterable<string>,
  removeEntries: (keys: readonly string[]) => Promise<string[] | number>,
  pattern: string,
): Promise<string[] | number> {
  const matches = globMatcher(pattern);
  const prefix = globPrefix(pattern);
  const matched = new Set<string>();
  for await (const key of scanKeys(prefix === '' ? undefined : prefix)) if (matches(key)) matched.add(key);
  return matched.size === 0 ? [] : removeEntries([...matched]);
}
