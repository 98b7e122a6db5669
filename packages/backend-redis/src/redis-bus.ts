/**
 * `RedisBus`: the Redis transport of core's `CacheBus`, which `@cache/tiered` uses to keep the L1
 * of every instance coherent.
 *
 * Wire format: one Redis channel, `${channel}:v${BUS_FORMAT_VERSION}`, whose messages are the
 * opaque bytes given to `publish` (tiered encodes them with core's `encodeBusMessage`). No key is
 * written. In `'tracking'` mode the subscriber also listens on `__redis__:invalidate`, where Redis
 * reports the keys under `${prefix}e:` (the entry sub-space of `RedisCache`, see redis-cache.ts)
 * that anyone but the tracked connection wrote; each report becomes a `keys` (or `flush`) message.
 *
 * Connections: a publisher with the offline queue off (a publish never waits for a reconnect) and
 * a subscriber that the bus subscribes itself on each `ready`, so that it knows when messages flow
 * again. On a Cluster the subscriber is a plain connection to one node, chosen again when it ends.
 *
 * This file is over 400 lines because one state machine (`connected`) follows three life cycles
 * that feed it: the subscriber's, the Cluster node choice and, in tracking mode, the tracked
 * client's. The options and connections are in redis-bus-options.ts, the listeners and the wire
 * helpers in internal/bus-listeners.ts and internal/bus-wire.ts.
 */
import {
  type BusPublisher,
  type Cache,
  type CacheBus,
  CacheConfigError,
  CacheConnectionError,
  type CacheError,
  CacheSerializationError,
  CacheTimeoutError,
  type Clock,
  systemClock,
} from '@cache/core';
import { type CacheBusEvents, encodeBusMessage } from '@cache/core/backend';
import { type Cluster, Redis } from 'ioredis';
import { BusListeners } from './internal/bus-listeners.js';
import {
  COMMAND_WAIT,
  mapPublishError,
  noop,
  parseNodeKey,
  publisherReady,
  quit,
  sameServer,
  toBuffer,
  trackingOperation,
} from './internal/bus-wire.js';
import { busPorts } from './internal/bus-send.js';
import { withDeadline } from './internal/deadline.js';
import { mapRedisError } from './internal/errors.js';
import { keySlot } from './internal/key-slot.js';
import {
  type ClusterConnections,
  createBusConnections,
  type RedisBusMode,
  type RedisBusOptions,
  type ResolvedBusOptions,
  resolveBusOptions,
  retryDelay,
} from './redis-bus-options.js';

/** The channel on which Redis reports invalidations to a RESP2 redirect target. */
const INVALIDATE_CHANNEL = '__redis__:invalidate';
/** The `from` of the messages made from Redis' invalidation reports. */
export const TRACKING_SENDER = 'redis-tracking';

/** The clients that a tracking bus (not closed) uses: tracking on one connection has one redirect. */
const trackedClients = new WeakSet<object>();

/**
 * A {@link CacheBus} on Redis pub/sub, for one server, a Sentinel-managed master or a Cluster.
 *
 * - Every instance publishes to and subscribes to `${channel}:v${BUS_FORMAT_VERSION}`; a message
 *   reaches every subscriber, its sender included, as the exact bytes published.
 * - `publish` rejects with `CacheConnectionError` at once while the publisher is not connected
 *   (it waits for a first connection only, within `publishTimeout`), and with
 *   `CacheTimeoutError` when a connected server does not answer within `publishTimeout`.
 * - `disconnect` is emitted when the subscription drops (messages sent from then on are lost),
 *   `connect` when it is up again (and the first time); `connected` says which holds.
 * - On a Cluster, with `sharded` (the default) the bus uses sharded pub/sub: `SPUBLISH` through
 *   the cluster client, and `SSUBSCRIBE` on a connection of its own to the master that owns the
 *   channel's slot (chosen again on a failover or slot move). This needs Redis 7; with
 *   `sharded: false` it uses `PUBLISH`, which the cluster forwards to every node, and `SUBSCRIBE`
 *   on any master.
 * - `mode: 'tracking'` adds Redis client-side caching: the bus sends `CLIENT TRACKING ON REDIRECT
 *   <subscriber id> BCAST PREFIX ${prefix}e: NOLOOP` on the cache's `client`, so that a write made
 *   by anyone but that connection (redis-cli, another service, another instance) is reported as a
 *   `keys` message (cache keys, without the prefix) and a `FLUSHDB` / `FLUSHALL` as a `flush`
 *   message, both from `'redis-tracking'` with `seq` 0. Tracking is armed again after a reconnect
 *   of either connection; `connected` is true only while it is armed. One tracking bus per client
 *   at a time (a connection has one redirect).
 *
 * @example
 * const l2 = new RedisCache({ url, prefix: 'app:' });
 * const bus = new RedisBus({ url, channel: 'app' });
 * // or, to also see writes made outside the toolkit:
 * const bus = new RedisBus({ client: l2.client, prefix: 'app:', channel: 'app', mode: 'tracking' });
 */
export class RedisBus implements CacheBus {
  /** The Redis channel of the bus: `${channel}:v${BUS_FORMAT_VERSION}`. */
  readonly channel: string;
  /** `'pubsub'` or `'tracking'`. */
  readonly mode: RedisBusMode;
  /** Longest wait for a publish, in ms. */
  readonly publishTimeout: number;
  readonly #options: ResolvedBusOptions;
  readonly #clock: Clock;
  readonly #channelBytes: Buffer;
  readonly #invalidateBytes = Buffer.from(INVALIDATE_CHANNEL);
  readonly #publisher: Redis | Cluster;
  /** On a Cluster: what the bus needs to make subscriber connections to its nodes. */
  readonly #cluster: ClusterConnections | undefined;
  /** The current subscriber connection (none on a Cluster between two nodes). */
  #subscriber: Redis | undefined;
  /** `'tracking'` mode: the cache's client, on which tracking is turned on. */
  readonly #tracked: Redis | undefined;
  readonly #listeners = new BusListeners();
  /** The subscriber connection's subscribe completed (since its last `ready`). */
  #subscribed = false;
  /** `'tracking'` mode: tracking is on, redirected to the current subscriber connection. */
  #tracking = false;
  #connected = false;
  #closed = false;
  /** The server's id of the subscriber connection (tracking redirects to it). */
  #subscriberId: number | undefined;
  /** Bumped on each subscriber `ready` and `close`: late replies of an older connection are ignored. */
  #generation = 0;
  /** Bumped on each tracking attempt and tracked-client `close`. */
  #armGeneration = 0;
  #armAttempts = 0;
  #armTimer: NodeJS.Timeout | undefined;
  /** On a Cluster: connection attempts since the last subscribe, and the timer of the next one. */
  #pickAttempts = 0;
  #pickTimer: NodeJS.Timeout | undefined;
  #pickWaitsForReady = false;
  /** The error that ended the last subscriber connection, for the `disconnect` event. */
  #lastError: unknown;
  /** The wait for the publisher's first `ready`, shared by the publishes made meanwhile. */
  #readyWait: Promise<void> | undefined;
  readonly #onTrackedReady = (): void => this.#arm();
  readonly #onTrackedClose = (): void => {
    this.#armGeneration++;
    if (!this.#tracking) return;
    this.#tracking = false;
    this.#update(undefined);
  };

  /** @throws CacheConfigError for invalid options. */
  constructor(options: RedisBusOptions = {}) {
    this.#options = resolveBusOptions(options);
    this.channel = this.#options.channel;
    this.mode = this.#options.mode;
    this.publishTimeout = this.#options.publishTimeout;
    this.#clock = options.clock ?? systemClock;
    this.#channelBytes = Buffer.from(this.channel);
    const tracking = this.mode === 'tracking';
    if (tracking) {
      if (trackedClients.has(options.client as object))
        throw new CacheConfigError("another mode 'tracking' RedisBus uses this client: close it first");
      trackedClients.add(options.client as object);
    }
    const connections = createBusConnections(options, tracking);
    this.#publisher = connections.publisher;
    this.#publisher.on('error', (error: unknown) => this.#emitError(error, this.#publisher));
    if (connections.kind === 'node') {
      this.#cluster = undefined;
      this.#watch(connections.subscriber);
    } else {
      this.#cluster = connections;
      this.#pick();
    }
    if (tracking) {
      this.#tracked = options.client as unknown as Redis;
      this.#tracked.on('ready', this.#onTrackedReady);
      this.#tracked.on('close', this.#onTrackedClose);
    } else {
      this.#tracked = undefined;
    }
  }

  /** Whether the subscription is up (and, in `'tracking'` mode, tracking is armed). */
  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Sends the bytes to every subscriber of the channel, this bus included.
   * @throws CacheConnectionError when the publisher is not connected (at once), or its first
   *   connection is not made within `publishTimeout`, or the bus is closed.
   * @throws CacheTimeoutError when the connected server does not answer within `publishTimeout`.
   */
  publish(message: Uint8Array): Promise<void> {
    const refused = this.#refuse(message);
    if (refused !== undefined) return Promise.reject(refused);
    const bytes = toBuffer(message);
    const publisher = this.#publisher;
    const status = publisher.status;
    let sent: Promise<unknown>;
    if (status === 'ready') sent = this.#send(bytes);
    else if (status === 'wait' || status === 'connecting' || status === 'connect')
      sent = this.#whenReady().then(() => this.#send(bytes));
    else
      return Promise.reject(
        new CacheConnectionError(`redis is not reachable (bus publisher status ${status})`),
      );
    return this.#settle(sent, publisher);
  }

  /**
   * A publisher on `cache`'s own connection when `cache` is a single-node `RedisCache` (made with
   * this package's ioredis) on the server of this bus (the same host and port, or the same
   * Sentinel master) as the same user, else `undefined`. Through it, `@cache/tiered` sends a
   * write's message right behind the write: the server applies the write before it publishes, and
   * both take one round trip (one socket write when the cache owns its client). Its messages reach the subscribers of
   * {@link RedisBus.publish}, settle within `publishTimeout` and fail alike; while the cache's
   * connection is down, at once. In `'tracking'` mode with `publishWrites: false`, for the cache
   * whose `client` and `prefix` the bus tracks, it `announcesWrites`.
   */
  publisherFor(cache: Cache<unknown>): BusPublisher | undefined {
    const port = busPorts.get(cache);
    if (this.#cluster !== undefined || port === undefined) return undefined;
    const client = port.client;
    if (!sameServer(client, this.#publisher as Redis)) return undefined;
    const channel = this.channel;
    // Redis reports the cache's writes to the other instances' tracking (not to this one: NOLOOP).
    const announcesWrites =
      !this.#options.publishWrites &&
      client === this.#tracked &&
      this.#options.trackedPrefix === port.entryPrefix;
    return {
      announcesWrites,
      publish: (message) => {
        if (this.#refuse(message) !== undefined) return this.publish(message);
        return this.#settle(port.publish(channel, toBuffer(message)), client);
      },
      publishBehind: (write, message) => {
        if (this.#refuse(message) !== undefined) return { written: write(), sent: undefined };
        const { written, sent } = port.publishBehind(write, channel, toBuffer(message));
        return { written, sent: sent === undefined ? undefined : this.#settle(sent, client) };
      },
    };
  }

  /** Calls `listener` with the bytes of each message received; returns the unsubscribe. */
  subscribe(listener: (message: Uint8Array) => void): () => void {
    return this.#listeners.subscribe(listener);
  }

  /** Listens to `connect`, `disconnect` or `error`; returns the unsubscribe. */
  on<E extends keyof CacheBusEvents>(event: E, listener: (payload: CacheBusEvents[E]) => void): () => void {
    return this.#listeners.on(event, listener);
  }

  /**
   * Turns tracking off on the cache's client (`'tracking'` mode), closes the bus's own connections
   * (a given `client` stays open) and drops every listener. Later publishes reject.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    clearTimeout(this.#armTimer);
    clearTimeout(this.#pickTimer);
    const tracked = this.#tracked;
    const closing: Promise<void>[] = [quit(this.#publisher)];
    if (this.#subscriber !== undefined) closing.push(quit(this.#subscriber));
    if (tracked !== undefined) {
      trackedClients.delete(tracked);
      tracked.off('ready', this.#onTrackedReady);
      tracked.off('close', this.#onTrackedClose);
      if (tracked.status === 'ready')
        closing.push(
          withDeadline(
            tracked.call('CLIENT', 'TRACKING', 'OFF'),
            COMMAND_WAIT,
            () => new Error('timeout'),
          ).then(noop, noop),
        );
    }
    await Promise.all(closing);
    this.#listeners.clear();
  }

  /** Why a publish of `message` is refused (the bus is closed, the message is not bytes), if it is. */
  #refuse(message: Uint8Array): CacheError | undefined {
    if (this.#closed) return new CacheConnectionError('the bus is closed');
    if (!(message instanceof Uint8Array))
      return new CacheSerializationError('a bus message must be a Uint8Array');
    return undefined;
  }

  /** A publish sent on `client`, bounded by `publishTimeout`, its failure as a `CacheError`. */
  #settle(sent: Promise<unknown>, client: Redis | Cluster): Promise<void> {
    return withDeadline(sent, this.publishTimeout, () =>
      client.status === 'ready'
        ? new CacheTimeoutError('redis publish ran past publishTimeout')
        : new CacheConnectionError(`redis is not reachable (bus publisher status ${client.status})`),
    ).then(noop, (error: unknown) => {
      throw mapPublishError(error, client);
    });
  }

  #send(bytes: Buffer): Promise<unknown> {
    const publisher = this.#publisher;
    return this.#cluster !== undefined && this.#options.sharded
      ? (publisher as Cluster).spublish(this.channel, bytes)
      : publisher.publish(this.channel, bytes);
  }

  /** Resolves on the publisher's next `ready`, rejects when its connection attempt fails. */
  #whenReady(): Promise<void> {
    this.#readyWait ??= publisherReady(this.#publisher).finally(() => {
      this.#readyWait = undefined;
    });
    return this.#readyWait;
  }

  /** Listens to a subscriber connection. */
  #watch(subscriber: Redis): void {
    this.#subscriber = subscriber;
    subscriber.on('error', (error: unknown) => {
      this.#lastError = error;
      this.#emitError(error, subscriber);
    });
    subscriber.on('ready', () => void this.#subscribe(subscriber));
    subscriber.on('close', () => this.#onSubscriberClose(subscriber));
    subscriber.on('messageBuffer', (channel: Buffer, message: unknown) => this.#onMessage(channel, message));
    subscriber.on('smessageBuffer', (channel: Buffer, message: unknown) => this.#onMessage(channel, message));
  }

  /** On each `ready` of the subscriber: its id (for tracking), then the subscription. */
  async #subscribe(subscriber: Redis): Promise<void> {
    const generation = ++this.#generation;
    const tracking = this.mode === 'tracking';
    try {
      const id = tracking ? Number(await subscriber.client('ID')) : undefined;
      if (this.#cluster !== undefined && this.#options.sharded) await subscriber.ssubscribe(this.channel);
      else if (tracking) await subscriber.subscribe(this.channel, INVALIDATE_CHANNEL);
      else await subscriber.subscribe(this.channel);
      if (generation !== this.#generation || this.#closed) return;
      this.#subscriberId = id;
      this.#subscribed = true;
      this.#pickAttempts = 0;
      this.#lastError = undefined;
      if (tracking) this.#arm();
      else this.#update(undefined);
    } catch (error) {
      if (generation !== this.#generation || this.#closed) return;
      this.#emitError(error, subscriber);
      // A connection that cannot subscribe is dropped: it reconnects (or, on a Cluster, another
      // node is chosen) and tries again.
      subscriber.disconnect(this.#cluster === undefined);
    }
  }

  #onSubscriberClose(subscriber: Redis): void {
    if (subscriber !== this.#subscriber) return;
    this.#generation++;
    this.#subscribed = false;
    this.#subscriberId = undefined;
    // The redirect target is gone: tracking must be armed again for the next connection.
    this.#tracking = false;
    this.#armGeneration++;
    this.#update(this.#lastError);
  }

  #onMessage(channel: Buffer, message: unknown): void {
    if (channel.equals(this.#channelBytes)) {
      if (!Buffer.isBuffer(message)) return;
      this.#listeners.deliver(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
    } else if (this.#tracked !== undefined && channel.equals(this.#invalidateBytes)) {
      // A report of `__redis__:invalidate`: the keys written, or null when the server was flushed.
      const operation = trackingOperation(message, this.#options.trackedPrefix);
      if (operation === undefined) return;
      const at = this.#clock.now();
      this.#listeners.deliver(encodeBusMessage({ ...operation, from: TRACKING_SENDER, seq: 0, at }));
    }
  }

  /**
   * `'tracking'` mode: turns tracking on for the cache's client, redirected to the subscriber
   * connection. `OFF` then `ON` in one MULTI, so that no write slips between them and a prefix
   * already tracked (by the previous subscriber connection) is replaced rather than refused.
   */
  #arm(): void {
    const tracked = this.#tracked;
    const id = this.#subscriberId;
    if (tracked === undefined || this.#closed || !this.#subscribed || id === undefined) return;
    if (tracked.status !== 'ready') return;
    clearTimeout(this.#armTimer);
    this.#armTimer = undefined;
    const armGeneration = ++this.#armGeneration;
    const arming = tracked
      .multi([
        ['client', 'tracking', 'off'],
        [
          'client',
          'tracking',
          'on',
          'redirect',
          String(id),
          'bcast',
          'prefix',
          this.#options.trackedPrefix,
          'noloop',
        ],
      ])
      .exec();
    withDeadline(arming, COMMAND_WAIT, () => new CacheTimeoutError('CLIENT TRACKING ran past its deadline'))
      .then(
        (replies) => {
          const failed = replies?.find(([error]) => error !== null)?.[0];
          if (replies === null || failed !== undefined)
            throw failed ?? new Error('CLIENT TRACKING was discarded');
          if (armGeneration !== this.#armGeneration || this.#closed) return;
          this.#armAttempts = 0;
          this.#tracking = true;
          this.#update(undefined);
        },
        (error: unknown) => this.#armFailed(armGeneration, error, tracked),
      )
      .catch((error: unknown) => this.#armFailed(armGeneration, error, tracked));
  }

  #armFailed(armGeneration: number, error: unknown, tracked: Redis): void {
    if (armGeneration !== this.#armGeneration || this.#closed) return;
    this.#emitError(error, tracked);
    this.#armTimer = setTimeout(() => this.#arm(), retryDelay(++this.#armAttempts));
    this.#armTimer.unref();
  }

  /**
   * On a Cluster: connects a subscriber to the master that owns the channel's slot (sharded) or
   * to any master, once the cluster client knows the slot map.
   */
  #pick(): void {
    const cluster = this.#cluster;
    if (cluster === undefined || this.#closed) return;
    this.#pickTimer = undefined;
    const publisher = cluster.publisher;
    if (publisher.status !== 'ready') {
      if (!this.#pickWaitsForReady) {
        this.#pickWaitsForReady = true;
        publisher.once('ready', () => {
          this.#pickWaitsForReady = false;
          this.#pick();
        });
      }
      return;
    }
    let address: { host: string; port: number } | undefined;
    if (this.#options.sharded) {
      address = parseNodeKey(publisher.slots[keySlot(this.channel)]?.[0]);
    } else {
      const masters = publisher.nodes('master');
      const node = masters[Math.floor(Math.random() * masters.length)];
      if (node?.options.host !== undefined && node.options.port !== undefined)
        address = { host: node.options.host, port: node.options.port };
    }
    if (address === undefined) {
      this.#schedulePick();
      return;
    }
    const subscriber = new Redis({ ...cluster.nodeOptions, ...address });
    this.#watch(subscriber);
    // The slot moved (an unsolicited SUNSUBSCRIBE): learn the new owner and connect to it.
    subscriber.on('moved', () => {
      publisher.refreshSlotsCache();
      subscriber.disconnect();
    });
    subscriber.once('end', () => {
      if (subscriber !== this.#subscriber) return;
      this.#onSubscriberClose(subscriber);
      this.#subscriber = undefined;
      this.#schedulePick();
    });
  }

  #schedulePick(): void {
    if (this.#closed || this.#pickTimer !== undefined) return;
    this.#pickTimer = setTimeout(() => this.#pick(), retryDelay(++this.#pickAttempts));
    this.#pickTimer.unref();
  }

  /** Emits `connect` or `disconnect` when `connected` changes. */
  #update(error: unknown): void {
    const connected = this.#subscribed && (this.#tracked === undefined || this.#tracking);
    if (connected === this.#connected || this.#closed) return;
    this.#connected = connected;
    if (connected) this.#listeners.emit('connect', {});
    else this.#listeners.emit('disconnect', error === undefined ? {} : { error });
  }

  #emitError(error: unknown, client: { readonly status: string }): void {
    if (this.#closed || !this.#listeners.hearsErrors) return;
    this.#listeners.emit('error', { error: mapRedisError(error, client) });
  }
}
