// Shared helpers for the single-node tests: the server on REDIS_URL (never skipped: an unreachable
// server fails the tests), caches with a unique prefix that are closed after each test, and a raw
// ioredis client for looking at what the cache wrote.
import { uniquePrefix } from '@cache/test-utils';
import { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { RedisCache, type RedisCacheOptions } from '../../src/index.js';
import { escapeMatch } from '../../src/internal/patterns.js';

/** The server the tests run against. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const open: { close(): Promise<void> }[] = [];
const raws: Redis[] = [];

const prefixes: string[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((cache) => cache.close()));
  for (const raw of raws.splice(0)) raw.disconnect();
  // Leave nothing behind on the shared server.
  const used = prefixes.splice(0);
  if (used.length === 0) return;
  const raw = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 5000 });
  try {
    for (const prefix of used) {
      const keys = await scanAll(raw, `${escapeMatch(prefix)}*`);
      for (let i = 0; i < keys.length; i += 500) await raw.unlink(...keys.slice(i, i + 500));
    }
  } finally {
    raw.disconnect();
  }
});

/** Removes every key under this prefix after the test. */
export function cleanUp(prefix: string): void {
  prefixes.push(prefix);
}

/** A cache on REDIS_URL with a prefix no other run shares; closed after the test. */
export function makeCache<V = unknown>(options: RedisCacheOptions = {}): RedisCache<V> {
  const cache = new RedisCache<V>({ url: REDIS_URL, prefix: uniquePrefix('redis-test'), ...options });
  open.push(cache);
  cleanUp(cache.prefix);
  return cache;
}

/** Closes this cache after the test. */
export function track<T extends { close(): Promise<void> }>(cache: T): T {
  open.push(cache);
  if (cache instanceof RedisCache) cleanUp(cache.prefix);
  return cache;
}

/** A plain ioredis client on REDIS_URL; disconnected after the test. */
export function rawRedis(url = REDIS_URL): Redis {
  const raw = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 5000 });
  raws.push(raw);
  return raw;
}

/** Every key matching `match` (SCAN, never KEYS), sorted. */
export async function scanAll(raw: Redis, match: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await raw.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    for (const key of batch) keys.add(key);
    cursor = next;
  } while (cursor !== '0');
  return [...keys].sort();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
