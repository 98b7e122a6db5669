/**
 * Maps ioredis failures to the toolkit's errors: a command past `commandTimeout` on a connected
 * client is a `CacheTimeoutError`; a command that fails or times out because the client is not
 * connected is a `CacheConnectionError`, and so is a Cluster that cannot serve a slot (`MOVED`,
 * `ASK`, `CLUSTERDOWN` replies, or ioredis giving up on its redirections); `OOM` replies are
 * `CacheFullError`; anything else is a plain `CacheError` with the ioredis error as `cause`.
 */
import { CacheConnectionError, CacheError, CacheFullError, CacheTimeoutError } from '@cache/core';
import { toCacheError } from '@cache/core/backend';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

const CONNECTION_MESSAGES = [
  'Connection is closed',
  "Stream isn't writeable",
  'None of startup nodes is available',
  'Failed to refresh slots cache',
  'All sentinels are unreachable',
  'Cluster is disconnected',
  'Cluster is ended',
  // ioredis gave up following MOVED / ASK / CLUSTERDOWN replies (a master is down).
  'Too many Cluster redirections',
];

const CONNECTION_REPLIES = [
  'LOADING',
  'READONLY',
  'CLUSTERDOWN',
  'MASTERDOWN',
  'TRYAGAIN',
  'NOREPLICAS',
  // A Cluster whose slot owner is gone or moving: the command cannot be served right now.
  'MOVED',
  'ASK',
];

/** What the mapper needs to know of the client: whether it is connected right now. */
export interface StatusSource {
  readonly status: string;
}

/** Turns anything ioredis throws into a {@link CacheError}. */
export function mapRedisError(error: unknown, client: StatusSource, key?: string): CacheError {
  if (error instanceof CacheError) return error;
  const options = key === undefined ? { cause: error } : { cause: error, key };
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' ? e.message : '';
  const name = typeof e?.name === 'string' ? e.name : '';
  if (message === 'Command timed out') {
    return client.status === 'ready'
      ? new CacheTimeoutError('redis command ran past commandTimeout', options)
      : new CacheConnectionError(`redis is not reachable (client status ${client.status})`, options);
  }
  if (
    name === 'MaxRetriesPerRequestError' ||
    name === 'ClusterAllFailedError' ||
    (typeof e?.code === 'string' && CONNECTION_CODES.has(e.code)) ||
    CONNECTION_MESSAGES.some((text) => message.includes(text))
  ) {
    return new CacheConnectionError(`redis is not reachable: ${message}`, options);
  }
  if (name === 'ReplyError') {
    if (message.startsWith('OOM')) return new CacheFullError(`redis is out of memory: ${message}`, options);
    if (CONNECTION_REPLIES.some((word) => message.startsWith(word))) {
      return new CacheConnectionError(`redis cannot serve the command: ${message}`, options);
    }
  }
  return toCacheError(error, 'redis command failed', key);
}
