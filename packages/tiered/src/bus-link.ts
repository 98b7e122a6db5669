/**
 * One tiered instance's side of the bus: it numbers what it sends, skips its own messages,
 * and tells its owner what to drop from L1. A gap in a sender's sequence, or a reconnect of the
 * bus, means messages were lost: the owner must then empty its L1.
 */
import { randomUUID } from 'node:crypto';
import type { CacheBus } from '@cache/core';
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
  readonly #bus: CacheBus;
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

  constructor(bus: CacheBus, handlers: BusLinkHandlers) {
    this.#bus = bus;
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
  async publish(operation: BusOperation): Promise<void> {
    const message = { ...operation, from: this.id, seq: ++this.#seq, at: Date.now() } as BusMessage;
    try {
      await this.#bus.publish(encodeBusMessage(message));
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
