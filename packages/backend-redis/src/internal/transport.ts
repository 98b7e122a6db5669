/**
 * How a `RedisCache` sends its commands: bounded in time whatever the connection does, and batched
 * by corking the socket when several leave in one synchronous run.
 */
import { CacheConnectionError, CacheTimeoutError } from '@cache/core';
import type { Cluster, Command, Redis } from 'ioredis';
import { withDeadline } from './deadline.js';

/** How a {@link Transport} bounds and batches. */
export interface TransportOptions {
  /** Whether commands are batched by corking the socket until the next tick (single node, owned client). */
  cork: boolean;
  /** The longest wait in the offline queue while a connection is being made, in ms. */
  offlineDeadline: number;
  /** On a Cluster with a command timeout: the deadline of every command, redirections included. */
  clusterDeadline: number | undefined;
}

/** The sending side of one cache's client. */
export class Transport {
  readonly #client: Redis | Cluster;
  readonly #cork: boolean;
  readonly #offlineDeadline: number;
  readonly #clusterDeadline: number | undefined;
  /** Commands sent in the current tick: 0, 1 (sent straight away), 2 (the socket is corked). */
  #burst = 0;
  #corked: { uncork(): void } | undefined;
  readonly #endBurst = (): void => {
    this.#burst = 0;
    const corked = this.#corked;
    if (corked !== undefined) {
      this.#corked = undefined;
      corked.uncork();
    }
  };
  /** {@link Transport.guard} as a function, for the modules that take a `Guard`. */
  readonly guard = <T>(command: () => Promise<T>): Promise<T> => this.#guard(command);

  constructor(client: Redis | Cluster, options: TransportOptions) {
    this.#client = client;
    this.#cork = options.cork;
    this.#offlineDeadline = options.offlineDeadline;
    this.#clusterDeadline = options.clusterDeadline;
  }

  /**
   * Sends a command the cache built (single node): {@link Transport.guard} without the closure.
   */
  send<T>(command: Command): Promise<T> {
    const client = this.#client;
    if (client.status === 'ready') {
      if (this.#cork) this.#batch();
      return client.sendCommand(command) as Promise<T>;
    }
    return this.#guard(() => client.sendCommand(command) as Promise<T>);
  }

  /** Corks the socket now (when the cache batches), until the next tick: the next commands leave in one write. */
  corkNow(): void {
    if (!this.#cork) return;
    if (this.#burst === 0) this.#batch();
    this.#batch();
  }

  /**
   * Sends a command. While a connection is being made the command waits in the offline queue,
   * bounded by the offline deadline, so that no promise waits forever for a server that does not
   * come back; while the client is between reconnect attempts, it fails at once.
   */
  #guard<T>(command: () => Promise<T>): Promise<T> {
    const status = this.#client.status;
    if (status === 'ready') {
      if (this.#cork) this.#batch();
      if (this.#clusterDeadline === undefined) return command();
      // A Cluster command may follow redirections and retries (a master is down) well past the
      // nodes' own timeout: the cache's deadline bounds the whole of it.
      return withDeadline(
        command(),
        this.#clusterDeadline,
        () => new CacheTimeoutError('redis cluster command ran past commandTimeout'),
      );
    }
    // The last connection attempt failed or the connection was lost: fail fast rather than
    // queue behind the next reconnect attempt.
    if (status === 'reconnecting' || status === 'close' || status === 'end') {
      return Promise.reject(new CacheConnectionError(`redis is not reachable (client status ${status})`));
    }
    return withDeadline(
      command(),
      this.#offlineDeadline,
      () => new CacheConnectionError(`redis is not reachable (client status ${status})`),
    );
  }

  /**
   * Auto-pipelining without a deferred write: the first command of a synchronous run is written
   * at once; when a second one follows in the same run, the socket is corked until the next tick,
   * so that commands issued together (50 concurrent gets) leave in two writes, and a lone command
   * is neither deferred (ioredis' own auto-pipelining waits for `setImmediate`) nor pays for the
   * cork (the buffered write path costs more than a direct write).
   */
  #batch(): void {
    if (this.#burst === 0) {
      this.#burst = 1;
      process.nextTick(this.#endBurst);
    } else if (this.#burst === 1) {
      this.#burst = 2;
      const stream = (this.#client as Redis).stream as { cork?(): void; uncork?(): void } | undefined;
      if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return;
      stream.cork();
      this.#corked = stream as { uncork(): void };
    }
  }
}
