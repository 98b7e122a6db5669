/** `cache inspect <key>`: an entry's metadata (TTL left, times, tags, size, hits); exit 1 on a miss. */
import { ExitCode } from '../exit-codes.js';
import type { Command } from '../internal/command.js';
import { formatBytes, formatDuration, formatTime } from '../internal/format.js';

/** A value's type for people: `string`, `number`, `array`, `object`, or its class (`Date`, `Map`, `Buffer`). */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value !== 'object') return typeof value;
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  const name = proto?.constructor?.name;
  return name === undefined || name === 'Object' ? 'object' : name;
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: "an entry's metadata: type, TTL left, expiry, creation time, tags, size, hits",
  usage: 'inspect <key>',
  details: [
    'JSON fields: key, type, ttlMs (null: never expires), expiresAt, createdAt, lastAccessAt (epoch',
    'ms), tags, size (bytes), hits; null where the backend does not record one.',
  ],
  options: {},
  examples: ['cache inspect user:1', 'cache inspect session:abc --json | jq .ttlMs'],
  arity: [1, 1],
  async run(ctx) {
    const key = ctx.args[0] as string;
    const cache = await ctx.cache();
    const entry = await cache.getEntry(key);
    if (entry === undefined) {
      if (!ctx.out.json) ctx.out.note(`(miss) ${key}`);
      return ExitCode.miss;
    }
    const now = Date.now();
    const ttlMs = entry.expiresAt === undefined ? undefined : Math.max(0, entry.expiresAt - now);
    if (ctx.out.json) {
      await ctx.out.line({
        key: entry.key,
        type: typeName(entry.value),
        ttlMs: ttlMs ?? null,
        expiresAt: entry.expiresAt ?? null,
        createdAt: entry.createdAt,
        lastAccessAt: entry.lastAccessAt ?? null,
        tags: entry.tags,
        size: entry.size ?? null,
        hits: entry.hits ?? null,
      });
    } else {
      await ctx.out.fields([
        ['key', entry.key],
        ['type', typeName(entry.value)],
        ['ttl', entry.expiresAt === undefined ? 'never expires' : formatDuration(ttlMs)],
        ['expiresAt', formatTime(entry.expiresAt)],
        ['createdAt', formatTime(entry.createdAt)],
        ['lastAccessAt', formatTime(entry.lastAccessAt)],
        ['tags', entry.tags.length === 0 ? '-' : entry.tags.join(', ')],
        ['size', formatBytes(entry.size)],
        ['hits', entry.hits === undefined ? '-' : String(entry.hits)],
      ]);
    }
    return ExitCode.ok;
  },
};
