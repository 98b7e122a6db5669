/**
 * Invalidation in `BaseCache`: `invalidateTags` and `deleteMatching` with their argument checks
 * and traces, the stamps that order the tag invalidations and tagged writes of one instance, and
 * the one place where a failed invalidation becomes a `CacheInvalidationError`. Whether an entry
 * was invalidated is decided on read (classify-entry.ts).
 */
import { cacheTracing, traceCacheOperation } from './diagnostics.js';
import { type CacheError, CacheConfigError, CacheInvalidationError, CacheKeyError } from './errors.js';
import { validateGlobPattern, validateTags } from './keys.js';

/**
 * The latest tag invalidation stamp and tagged `createdAt` of an instance: they order events of
 * the same millisecond, so that a tagged write after an invalidation outlives it and a write
 * before it does not.
 */
export class TagStamps {
  #lastInvalidationAt = Number.NEGATIVE_INFINITY;
  #lastTaggedWriteAt = Number.NEGATIVE_INFINITY;

  /** The `createdAt` of a tagged write at `now`: after any invalidation stamped so far. */
  writeAt(now: number): number {
    const createdAt = now <= this.#lastInvalidationAt ? this.#lastInvalidationAt + 1 : now;
    if (createdAt > this.#lastTaggedWriteAt) this.#lastTaggedWriteAt = createdAt;
    return createdAt;
  }

  /** The stamp of an invalidation at `now`: no earlier than the latest tagged write, which it then covers. */
  invalidationAt(now: number): number {
    const at = Math.max(now, this.#lastTaggedWriteAt);
    if (at > this.#lastInvalidationAt) this.#lastInvalidationAt = at;
    return at;
  }
}

/** What invalidating needs of its cache (its primitives and reporting, seen from outside). */
export interface InvalidationHost {
  /** The cache's name, for traces. */
  readonly name: string;
  now(): number;
  /** `BaseCache.checkOpen`. */
  checkOpen(): void;
  /** `BaseCache.writeTagInvalidations`. */
  writeTagInvalidations(tags: readonly string[], at: number): Promise<void>;
  /** `BaseCache.removeMatching`. */
  removeMatching(pattern: string): Promise<string[] | number>;
  /** `BaseCache.reportDeletes`. */
  reportDeletes(removed: readonly string[] | number): number;
  /** `BaseCache.reportError`. */
  reportError(error: CacheError, key?: string): void;
}

/** `invalidateTags`: checks the tags, stamps the invalidation, and has the backend record it. */
export function invalidateTags(
  host: InvalidationHost,
  stamps: TagStamps,
  tags: readonly string[],
): Promise<void> {
  if (cacheTracing.invalidateTags.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'invalidateTags', tags }, () =>
      invalidate(host, stamps, tags),
    );
  return invalidate(host, stamps, tags);
}

async function invalidate(host: InvalidationHost, stamps: TagStamps, tags: readonly string[]): Promise<void> {
  const list = validateTags(tags);
  host.checkOpen();
  if (list.length === 0) return;
  // Stamp no earlier than this instance's latest tagged write, so a write in the same millisecond counts as earlier.
  const at = stamps.invalidationAt(host.now());
  try {
    await host.writeTagInvalidations(list, at);
  } catch (error) {
    failInvalidation(host, error, 'invalidateTags');
  }
}

/** `deleteMatching`: checks the glob, removes the live entries that match, and returns their number. */
export function deleteMatching(host: InvalidationHost, pattern: string): Promise<number> {
  if (cacheTracing.deleteMatching.hasSubscribers)
    return traceCacheOperation({ cache: host.name, operation: 'deleteMatching', pattern }, () =>
      removeMatches(host, pattern),
    );
  return removeMatches(host, pattern);
}

async function removeMatches(host: InvalidationHost, pattern: string): Promise<number> {
  validateGlobPattern(pattern);
  host.checkOpen();
  let removed: readonly string[] | number;
  try {
    removed = await host.removeMatching(pattern);
  } catch (error) {
    failInvalidation(host, error, 'deleteMatching');
  }
  return host.reportDeletes(removed);
}

/**
 * The one place where a failed invalidation (`invalidateTags`, `deleteMatching`) becomes a
 * `CacheInvalidationError` carrying the backend's error as `cause`. Argument errors and the
 * closed state keep their own class.
 */
function failInvalidation(host: InvalidationHost, error: unknown, what: string): never {
  const cacheError =
    error instanceof CacheKeyError || error instanceof CacheConfigError
      ? error
      : new CacheInvalidationError(
          `${what} failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
  host.reportError(cacheError);
  throw cacheError;
}
