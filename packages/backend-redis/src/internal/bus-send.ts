/**
 * How `RedisBus` sends on a `RedisCache`'s connection (see `RedisBus.publisherFor`): each cache
 * that builds its own commands (a single node of this package's ioredis) registers a port here,
 * kept out of the package's exports and declarations. {@link openBusPort} builds that port from
 * the cache's transport, so that both sides of the hand-off live in this one file.
 */
import { Command, type Redis } from 'ioredis';
import type { Transport } from './transport.js';

/** A cache's connection, as the bus uses it. */
export interface BusPort {
  /** The cache's client. */
  readonly client: Redis;
  /** The Redis key prefix of the cache's entries: the client's `keyPrefix`, the cache's `prefix`, `e:`. */
  readonly entryPrefix: string;
  /** A `PUBLISH` on the cache's connection, batched with the commands sent in the same tick. */
  publish(channel: string, message: Buffer): Promise<unknown>;
  /**
   * Runs `write` (one write of the cache) and, when it handed its one command to the connection
   * before returning, sends a `PUBLISH` right behind it: one connection keeps the order (the
   * server applies the write, then publishes), and with the socket corked both leave in one
   * write. `sent` is `undefined` when nothing was published.
   */
  publishBehind<T>(
    write: () => Promise<T>,
    channel: string,
    message: Buffer,
  ): { written: Promise<T>; sent: Promise<unknown> | undefined };
}

/** The port of each cache that has one. */
export const busPorts = new WeakMap<object, BusPort>();

/**
 * Registers the port of `cache`: PUBLISH on `client` through the cache's transport `io`.
 * `takeWriteSent` says whether the cache's last write handed its one command to the connection
 * before returning, and clears that mark.
 */
export function openBusPort(
  cache: object,
  client: Redis,
  entryPrefix: string,
  io: Transport,
  takeWriteSent: () => boolean,
): void {
  busPorts.set(cache, {
    client,
    entryPrefix,
    publish: (channel, message) => io.send(new Command('publish', [channel, message])),
    publishBehind: (write, channel, message) => {
      io.corkNow();
      takeWriteSent();
      const written = write();
      if (!takeWriteSent()) return { written, sent: undefined };
      return { written, sent: io.send(new Command('publish', [channel, message])) };
    },
  });
}
