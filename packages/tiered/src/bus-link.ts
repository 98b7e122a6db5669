/**
 * One tiered instance's side of the bus: it numbers what it sends, skips its own messages,
 * and tells its owner what to drop from L1. A gap in a sender's sequence, or a reconnect of the
 * bus, means messages were lost: the owner must then empty its L1.
 */
import { randomUUID } from 'node:crypto';
import type { BusPublisher, Cache, CacheBus } from '@cache/core';
import {
  type BusMessage,
  type BusOperation,
  decodeBusMessage,
  encodeBusMessage,
  toCacheError,
} from '@cache/core/backend';

/** What the owner of a link does with what arrives. */
export interface BusLinkHandlers {
  /** Drop what the operation names from L1. */
  apply(operation: BusOperation): void;
  /** Messages were lost (a gap, a reconnect): drop everything from L1. */
  lost(reason: 'gap' | 'reconnect'): void;
  /** The bus went down or came back. */
  connection(up: boolean): void;
  /** A failure to report (a publish that failed, an undecodable message). */
  error(error: unknown): void;
}

/** How many senders' sequence numbers are remembered; the oldest are forgotten past this. */
const MAX_SENDERS = 10_000;

export class BusLink {
  /** This instance's id on the bus. */
  readonly id = randomUUID();
  /** Where messages go: the bus's publisher on L2's connection when it has one, else the bus. */
  readonly #publisher: Pick<BusPublisher, 'publish'> & Partial<BusPublisher>;
  readonly #handlers: BusLinkHandlers;
  readonly #unsubscribe: (() => void)[] = [];
  /** The last sequence number seen from each sender, in the order senders were last heard. */
  readonly #senders = new Map<string, number>();
  #seq = 0;
  #up: boolean;
  /** Whether the bus was ever up: its first connection loses nothing (copies made before it were capped). */
  #wasUp: boolean;
  published = 0;
  received = 0;

  /**
   * @param l2 The cache whose writes the messages announce: when the bus can publish on its
   *   connection, every message goes that way (one connection keeps them in order).
   */
  constructor(bus: CacheBus, handlers: BusLinkHandlers, l2: Cache<unknown>) {
    this.#publisher = bus.publisherFor?.(l2) ?? bus;
    this.#handlers = handlers;
    this.#up = bus.connected;
    this.#wasUp = this.#up;
    this.#unsubscribe.push(
      bus.subscribe((bytes) => this.#receive(bytes)),
      bus.on('disconnect', () => this.#connection(false)),
      bus.on('connect', () => this.#connection(true)),
      bus.on('error', ({ error }) => handlers.error(error)),
    );
  }

  /** Whether the bus is up: messages flow both ways. */
  get up(): boolean {
    return this.#up;
  }

  /**
   * Sends an operation. Never rejects: a failure is reported, and the sequence number it used is
   * not reused, so receivers see a gap and empty their L1.
   */
  publish(operation: BusOperation): Promise<void> {
    if (this.#announced(operation)) return Promise.resolve();
    return this.#settle(this.#publisher.publish(this.#encode(operation, ++this.#seq)));
  }

  /**
   * Runs `write` (one L2 write) and sends the operation right behind it when the bus publishes on
   * L2's connection (the server applies the write first; one round trip for both); else `sent`
   * is `undefined`, nothing sent, and the caller publishes once its write completed. `sent` never
   * rejects, as `publish`.
   */
  publishBehind(
    write: () => Promise<void>,
    operation: BusOperation,
  ): { written: Promise<void>; sent: Promise<void> | undefined } {
    const publisher = this.#publisher;
    if (publisher.publishBehind === undefined || this.#announced(operation))
      return { written: write(), sent: undefined };
    const { written, sent } = publisher.publishBehind(write, this.#encode(operation, this.#seq + 1));
    if (sent === undefined) return { written, sent };
    this.#seq++;
    return { written, sent: this.#settle(sent) };
  }

  /** Whether the bus's server tells the other instances of this operation itself (writes of entries). */
  #announced(operation: BusOperation): boolean {
    return operation.op === 'keys' && this.#publisher.announcesWrites === true;
  }

  #encode(operation: BusOperation, seq: number): Uint8Array {
    return encodeBusMessage({ ...operation, from: this.id, seq, at: Date.now() } as BusMessage);
  }

  async #settle(sent: Promise<void>): Promise<void> {
    try {
      await sent;
      this.published++;
    } catch (error) {
      this.#handlers.error(toCacheError(error, 'bus publish failed'));
    }
  }

  /** Stops listening; the bus itself is closed by its owner. */
  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  #connection(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    this.#handlers.connection(up);
    if (up && this.#wasUp) {
      // Whatever was sent while down is lost, and the senders' sequences with it.
      this.#senders.clear();
      this.#handlers.lost('reconnect');
    }
    if (up) this.#wasUp = true;
  }

  #receive(bytes: Uint8Array): void {
    let message: BusMessage;
    try {
      message = decodeBusMessage(bytes);
    } catch (error) {
      this.#handlers.error(error);
      return;
    }
    if (message.from === this.id) return;
    this.received++;
    // Sequence 0: unsequenced (Redis's own invalidations in tracking mode).
    if (message.seq !== 0) {
      const last = this.#senders.get(message.from);
      this.#senders.delete(message.from);
      this.#senders.set(message.from, Math.max(last ?? 0, message.seq));
      if (this.#senders.size > MAX_SENDERS) this.#senders.delete(this.#senders.keys().next().value as string);
      if (last !== undefined && message.seq !== last + 1) this.#handlers.lost('gap');
    }
    this.#handlers.apply(message);
  }
}
