/**
 * What a tiered cache does with its bus (nothing without one): it announces its writes (awaited,
 * or in the background with `busPublish: 'background'`), applies its peers' messages to L1,
 * empties L1 when messages may have been lost (a gap in a sender's sequence, a reconnect), and
 * while the bus is down lets L1 copies live at most `busDownL1Ttl`. The wire side (numbering,
 * skipping its own messages, telling gaps) is {@link BusLink}'s.
 */
import type { Cache, CacheBus, CacheError } from '@cache/core';
import { type BusOperation, toCacheError } from '@cache/core/backend';
import { BusLink } from './bus-link.js';
import type { L1Copies } from './l1-copies.js';

/** What the sync needs from its tiered cache. */
export interface BusSyncOptions {
  busDownL1Ttl: number;
  /** `busPublish: 'background'`: a write does not wait for its message. */
  backgroundPublish: boolean;
  report(error: CacheError): void;
}

export class BusSync<V> {
  readonly #link: BusLink | undefined;
  readonly #l1: Cache<V>;
  readonly #copies: L1Copies<V>;
  readonly #options: BusSyncOptions;
  /** Messages not awaited by a write (`busPublish: 'background'`, or sent behind a write) and not yet taken by the bus. */
  readonly #inFlight = new Set<Promise<void>>();
  #downTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    bus: CacheBus | undefined,
    tiers: { l1: Cache<V>; l2: Cache<V> },
    copies: L1Copies<V>,
    options: BusSyncOptions,
  ) {
    this.#l1 = tiers.l1;
    this.#copies = copies;
    this.#options = options;
    if (bus === undefined) return;
    this.#link = new BusLink(
      bus,
      {
        apply: (operation) => void this.#apply(operation),
        lost: () => void copies.flush(),
        connection: (up) => this.#connection(up),
        error: (error) => options.report(toCacheError(error, 'bus failure')),
      },
      tiers.l2 as Cache<unknown>,
    );
    if (!this.#link.up) this.#connection(false);
  }

  /** Whether there is a bus and it is down. */
  get down(): boolean {
    return this.#link !== undefined && !this.#link.up;
  }

  /** Messages sent and received. */
  get published(): number {
    return this.#link?.published ?? 0;
  }

  get received(): number {
    return this.#link?.received ?? 0;
  }

  /**
   * Sends a message (a failure is reported, and its sequence number is lost on purpose, so
   * receivers see the gap). With `busPublish: 'await'` the write waits until the bus took it, so
   * that the staleness of other instances is bounded from the moment the write resolves; in the
   * background, the message is sent now (in order) and `close()` waits for it.
   */
  async publish(operation: BusOperation): Promise<void> {
    const sent = this.#link?.publish(operation);
    if (sent === undefined) return;
    if (!this.#options.backgroundPublish) return sent;
    this.#track(sent);
  }

  /**
   * Runs `write` (one L2 write) with its message right behind it, when the bus publishes on L2's
   * connection (see {@link BusLink.publishBehind}); else `sent` is `undefined` and the caller
   * publishes once the write completed. A message sent is waited for by `close()`.
   */
  publishBehind(
    write: () => Promise<void>,
    operation: BusOperation,
  ): { written: Promise<void>; sent: Promise<void> | undefined } {
    if (this.#link === undefined) return { written: write(), sent: undefined };
    const behind = this.#link.publishBehind(write, operation);
    if (behind.sent !== undefined) this.#track(behind.sent);
    return behind;
  }

  /** Keeps a message in flight until the bus took it, so that `close()` waits for it. */
  #track(sent: Promise<void>): void {
    this.#inFlight.add(sent);
    void sent.then(() => this.#inFlight.delete(sent));
  }

  /** Starts no more timers (the cache is closing). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#downTimer);
  }

  /** Resolves once the messages in flight were taken by the bus. */
  async sent(): Promise<void> {
    await Promise.all(this.#inFlight);
  }

  /** Stops listening; the bus itself is closed by its owner. */
  close(): void {
    this.#link?.close();
  }

  /** Drops from L1 what a peer's message names. */
  async #apply(operation: BusOperation): Promise<void> {
    const l1 = this.#l1;
    const copies = this.#copies;
    try {
      switch (operation.op) {
        case 'keys': {
          for (const key of operation.keys) copies.guard.invalidate(key);
          const keeping = copies.keepStale(operation.keys);
          if (keeping !== undefined) await keeping;
          await l1.deleteMany(operation.keys);
          return;
        }
        case 'clear':
          copies.touchAll();
          await l1.clear(operation.prefix === undefined ? undefined : { prefix: operation.prefix });
          return;
        case 'match':
          copies.touchAll();
          await l1.deleteMatching(operation.pattern);
          return;
        case 'tags':
          copies.touchAll();
          await l1.invalidateTags(operation.tags);
          return;
        case 'flush':
          await copies.flush();
          return;
      }
    } catch (error) {
      this.#options.report(toCacheError(error, 'applying a bus message to L1 failed'));
    }
  }

  #connection(up: boolean): void {
    clearTimeout(this.#downTimer);
    this.#downTimer = undefined;
    if (up || this.#stopped) return;
    // Copies made before the outage live at most busDownL1Ttl from now; new ones are capped.
    this.#downTimer = setTimeout(() => {
      this.#downTimer = undefined;
      if (this.down) void this.#copies.flush();
    }, this.#options.busDownL1Ttl);
    this.#downTimer.unref?.();
  }
}
