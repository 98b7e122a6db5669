/**
 * Closing a client that `RedisCache` made itself: QUIT within a bound, then a hard disconnect if
 * the connection is still not ended, and silence for the errors a closing socket may still report.
 * Apart from redis-cache.ts so that the cache's file holds the cache's primitives only.
 */
import { CacheConnectionError } from '@cache/core';
import type { Cluster, Redis } from 'ioredis';
import { withDeadline } from './deadline.js';
import { TimedRedis } from './timed-redis.js';

const QUIT_TIMEOUT = 1_000;

/** Closes an owned client; `onError` is the listener the cache added, removed here. */
export async function closeOwnedClient(
  client: Redis | Cluster,
  onError: (error: Error) => void,
): Promise<void> {
  if (client instanceof TimedRedis) client.deadlines.stop();
  if (client.status === 'ready') {
    await withDeadline(client.quit(), QUIT_TIMEOUT, () => new CacheConnectionError('QUIT timed out')).catch(
      () => undefined,
    );
  }
  if (client.status !== 'end') {
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    client.disconnect();
    await withDeadline(ended, QUIT_TIMEOUT, () => new CacheConnectionError('disconnect timed out')).catch(
      () => undefined,
    );
  }
  client.off('error', onError);
  // ioredis may still report the closing socket; keep those quiet.
  client.on('error', noop);
}

function noop(): void {}
