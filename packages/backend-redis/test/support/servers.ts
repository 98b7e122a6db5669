// Test helpers around the Redis launcher (tools/redis/launcher.ts): a raw ioredis client on one
// node for checking what a cache wrote, SCAN per node, and a bounded retry loop that collects the
// errors seen on the way (used while a Sentinel fails over).
import { Redis } from 'ioredis';
import type { RedisAddress } from '@cache/redis-launcher';

/** A plain ioredis client on one node (no cluster redirections, no offline queue). */
export function rawClient(address: RedisAddress): Redis {
  return new Redis({
    host: address.host,
    port: address.port,
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 5000,
  });
}

/** Every key on this one node that matches `match` (SCAN, never KEYS). */
export async function scanNode(address: RedisAddress, match: string): Promise<string[]> {
  const client = rawClient(address);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', match, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys.sort();
  } finally {
    client.disconnect();
  }
}

/** What {@link retryUntil} saw. */
export interface RetryResult<T> {
  value: T;
  attempts: number;
  /** The errors of the failed attempts, in order. */
  errors: unknown[];
  elapsedMs: number;
}

/**
 * Runs `attempt` until it resolves, waiting `pauseMs` between tries, each try bounded by
 * `attemptTimeoutMs` (a try that hangs counts as failed). Throws the last error after `timeoutMs`.
 */
export async function retryUntil<T>(
  timeoutMs: number,
  attempt: () => Promise<T>,
  { pauseMs = 100, attemptTimeoutMs = 5000 }: { pauseMs?: number; attemptTimeoutMs?: number } = {},
): Promise<RetryResult<T>> {
  const started = Date.now();
  const errors: unknown[] = [];
  for (;;) {
    try {
      const value = await withTimeout(attempt(), attemptTimeoutMs);
      return { value, attempts: errors.length + 1, errors, elapsedMs: Date.now() - started };
    } catch (error) {
      errors.push(error);
      if (Date.now() - started > timeoutMs) {
        throw new Error(`still failing after ${timeoutMs} ms and ${errors.length} attempts`, {
          cause: error,
        });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** Thrown by {@link withTimeout} when the promise did not settle in time. */
export class HungPromiseError extends Error {
  override readonly name = 'HungPromiseError';
}

/** Rejects with {@link HungPromiseError} if `promise` does not settle within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HungPromiseError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
