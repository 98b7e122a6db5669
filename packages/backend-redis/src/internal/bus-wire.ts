/**
 * What `RedisBus` needs of the wire apart from its connections' state machine: the bytes it sends,
 * the errors of a publish, the messages made from Redis' invalidation reports, which Cluster node
 * owns the channel, whether two clients talk to one server, and closing a connection.
 */
import { CacheConnectionError, type CacheError } from '@cache/core';
import type { BusOperation } from '@cache/core/backend';
import type { Cluster, Redis } from 'ioredis';
import { withDeadline } from './deadline.js';
import { mapRedisError } from './errors.js';

/** Longest wait for QUIT, and for `CLIENT TRACKING` on the tracked client. */
export const COMMAND_WAIT = 2_000;

/**
 * The operation a report of `__redis__:invalidate` stands for: `flush` for null (the server was
 * flushed), else `keys` with the reported keys under `prefix` (without it); `undefined` when none is.
 */
export function trackingOperation(report: unknown, prefix: string): BusOperation | undefined {
  if (report === null || report === undefined) return { op: 'flush' };
  if (!Array.isArray(report)) return undefined;
  const keys: string[] = [];
  for (const item of report) {
    const key = Buffer.isBuffer(item) ? item.toString('utf8') : String(item);
    if (key.startsWith(prefix)) keys.push(key.slice(prefix.length));
  }
  return keys.length === 0 ? undefined : { op: 'keys', keys };
}

/** `host:port` (the host may be an IPv6 address) as ioredis names cluster nodes. */
export function parseNodeKey(key: string | undefined): { host: string; port: number } | undefined {
  if (key === undefined) return undefined;
  const colon = key.lastIndexOf(':');
  const port = Number(key.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port)) return undefined;
  return { host: key.slice(0, colon), port };
}

export function toBuffer(message: Uint8Array): Buffer {
  return Buffer.from(message.buffer, message.byteOffset, message.byteLength);
}

export function mapPublishError(error: unknown, client: Redis | Cluster): CacheError {
  const mapped = mapRedisError(error, client);
  if (mapped.code === 'CACHE_ERROR' && client.status !== 'ready')
    return new CacheConnectionError(`redis is not reachable (bus publisher status ${client.status})`, {
      cause: error,
    });
  return mapped;
}

/**
 * Whether two single-node clients talk to one server as one user (so that what one may publish,
 * the other may too): the same socket path, or host and port, or the same Sentinel master name
 * behind the same sentinels.
 */
export function sameServer(a: Redis, b: Redis): boolean {
  const x = a.options;
  const y = b.options;
  if ((x.username ?? '') !== (y.username ?? '')) return false;
  if ((x.sentinels?.length ?? 0) > 0 || (y.sentinels?.length ?? 0) > 0)
    return x.name === y.name && JSON.stringify(x.sentinels) === JSON.stringify(y.sentinels);
  if (x.path || y.path) return x.path === y.path;
  return x.host === y.host && x.port === y.port;
}

/** Settles at the publisher's next `ready`, or rejects when it closes first. */
export function publisherReady(publisher: Redis | Cluster): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      publisher.off('ready', onReady);
      publisher.off('close', onClose);
      publisher.off('end', onClose);
    };
    const onReady = (): void => {
      done();
      resolve();
    };
    const onClose = (): void => {
      done();
      reject(new CacheConnectionError(`redis is not reachable (bus publisher status ${publisher.status})`));
    };
    publisher.on('ready', onReady);
    publisher.on('close', onClose);
    publisher.on('end', onClose);
  });
}

/** QUIT, then a hard disconnect if the server does not answer in time. */
export async function quit(connection: Redis | Cluster): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status === 'ready')
    await withDeadline(connection.quit(), COMMAND_WAIT, () => new Error('timeout')).catch(noop);
  connection.disconnect();
}

export function noop(): void {}
