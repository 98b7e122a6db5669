/**
 * The `getOrSet({ lock })` lock of a key on Redis: `SET lockKey token PX lease NX`, retried as the
 * core's `waitForLock` paces it until `wait` runs out; released by a script that deletes the lock
 * only while this token holds it. The lease is always finite, so a lock whose holder dies expires.
 */
import { CacheConfigError } from '@cache/core';
import { type LockRelease, MAX_TIMER_MS, waitForLock } from '@cache/core/backend';
import type { Cluster, Redis } from 'ioredis';
import { mapRedisError } from './errors.js';
import type { Guard, ScriptRunner } from './script-runner.js';
import { UNLOCK } from './scripts.js';

/** What taking a lock needs of the cache. */
export interface LockContext {
  readonly client: Redis | Cluster;
  readonly guard: Guard;
  readonly scripts: ScriptRunner;
}

/**
 * Takes the lock `lockKey` (of the cache key `key`) for `lease` ms, waiting at most `wait` ms.
 * @returns the release, or `undefined` when the wait ran out.
 * @throws CacheConfigError for a lease that is not a finite delay a timer takes (Infinity included),
 *   or such a wait; the mapped Redis error when a command fails.
 */
export async function acquireRedisLock(
  context: LockContext,
  lockKey: string,
  key: string,
  token: string,
  lease: number,
  wait: number,
): Promise<LockRelease | undefined> {
  if (!(lease > 0 && lease <= MAX_TIMER_MS) || !(wait >= 0 && wait <= MAX_TIMER_MS)) {
    throw new CacheConfigError(
      `lock lease must be between 1 and ${MAX_TIMER_MS} ms and wait at most that; got ${lease} and ${wait}`,
    );
  }
  const { client, guard, scripts } = context;
  const px = Math.max(1, Math.ceil(lease));
  const release: LockRelease = async () => {
    try {
      await scripts.eval(UNLOCK, lockKey, [token]);
    } catch (error) {
      throw mapRedisError(error, client, key);
    }
  };
  return waitForLock(
    async () => {
      let taken: string | null;
      try {
        taken = await guard(() => client.set(lockKey, token, 'PX', px, 'NX'));
      } catch (error) {
        throw mapRedisError(error, client, key);
      }
      return taken === 'OK' ? release : undefined;
    },
    { wait },
  );
}
