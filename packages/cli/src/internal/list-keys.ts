/** Streams keys from `keys()` (SCAN on Redis, never KEYS) to stdout, one per line. */
import type { Cache } from '@cache/core';
import { globMatcher, globPrefix } from '@cache/core/backend';
import type { CommandContext } from './command.js';

/** What to list. */
export interface ListOptions {
  prefix?: string | undefined;
  /** A glob (`*`, `?`) the whole key must match. */
  match?: string | undefined;
  limit?: number | undefined;
}

/**
 * Writes the keys that `options` select: a JSON string per line in JSON mode, else the key.
 * Holds no more than one key at a time, and stops at `limit` or when the run is aborted.
 * @returns how many keys it wrote
 */
export async function listKeys(ctx: CommandContext, cache: Cache, options: ListOptions): Promise<number> {
  const matcher = options.match === undefined ? undefined : globMatcher(options.match);
  let prefix = options.prefix;
  if (options.match !== undefined) {
    const literal = globPrefix(options.match);
    // The glob's literal start narrows the scan when it extends the prefix (or there is none).
    if (literal !== '' && (prefix === undefined || literal.startsWith(prefix))) prefix = literal;
    else if (prefix !== undefined && !prefix.startsWith(literal)) return 0;
  }
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let count = 0;
  if (limit <= 0) return 0;
  for await (const key of cache.keys(prefix === undefined ? {} : { prefix })) {
    ctx.signal.throwIfAborted();
    if (options.prefix !== undefined && !key.startsWith(options.prefix)) continue;
    if (matcher !== undefined && !matcher(key)) continue;
    await ctx.out.write(ctx.out.json ? `${JSON.stringify(key)}\n` : `${key}\n`);
    if (++count >= limit) break;
  }
  return count;
}
