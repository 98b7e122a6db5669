/**
 * `MemoryBus`: a `CacheBus` inside one process, for several tiered caches in a process and for
 * tests. Buses with the same `channel` reach each other. Test hooks simulate what a network does:
 * {@link MemoryBus.disconnect} / {@link MemoryBus.reconnect} (messages sent meanwhile are lost to
 * this bus), {@link MemoryBus.dropIncoming} (lose chosen messages), and {@link MemoryBus.hold} /
 * {@link MemoryBus.release} (delay messages, and deliver them in another order).
 */
import { type CacheBus, CacheConfigError, CacheConnectionError } from '@cache/core';
import { type CacheBusEvents, sharedState } from '@cache/core/backend';
import { BusEvents } from './bus-events.js';

/** Options of {@link MemoryBus}. */
export interface MemoryBusOptions {
  /** Buses of one channel reach each other. @default 'cache' */
  channel?: string | undefined;
}

/** The members of each channel, one registry per process (shared by every copy of this package). */
const channels = sharedState(
  'tiered:memory-bus',
  () => new Map<string, Set<(message: Uint8Array) => void>>(),
);

export class MemoryBus implements CacheBus {
  readonly channel: string;
  readonly #listeners = new Set<(message: Uint8Array) => void>();
  readonly #events = new BusEvents();
  #connected = true;
  #closed = false;
  #held: Uint8Array[] | undefined;
  readonly #member = (message: Uint8Array): void => this.#arrive(message);
  /** A test hook: messages for which it returns true are lost on their way to this bus. */
  dropIncoming: ((message: Uint8Array) => boolean) | undefined;
  /** Messages this bus received (delivered to its listeners). */
  received = 0;

  constructor(options: MemoryBusOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw new CacheConfigError('MemoryBus options must be an object');
    this.channel = options.channel ?? 'cache';
    if (typeof this.channel !== 'string') throw new CacheConfigError('channel must be a string');
    let members = channels.get(this.channel);
    if (!members) channels.set(this.channel, (members = new Set()));
    members.add(this.#member);
  }

  get connected(): boolean {
    return this.#connected;
  }

  async publish(message: Uint8Array): Promise<void> {
    if (this.#closed) throw new CacheConnectionError('the bus is closed');
    if (!this.#connected) throw new CacheConnectionError('the bus is disconnected');
    const copy = Uint8Array.from(message);
    for (const arrive of channels.get(this.channel) ?? []) arrive(copy);
  }

  subscribe(listener: (message: Uint8Array) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  on<E extends keyof CacheBusEvents>(event: E, listener: (payload: CacheBusEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Simulates an outage: this bus neither sends nor receives until {@link reconnect}. */
  disconnect(): void {
    if (!this.#connected || this.#closed) return;
    this.#connected = false;
    this.#events.emit('disconnect', {});
  }

  /** Ends a simulated outage; what was sent meanwhile is lost to this bus. */
  reconnect(): void {
    if (this.#connected || this.#closed) return;
    this.#connected = true;
    this.#events.emit('connect', {});
  }

  /** Delays the messages arriving at this bus until {@link release}. */
  hold(): void {
    this.#held ??= [];
  }

  /** Delivers the held messages, in arrival order or `'reverse'` order, and stops holding. */
  release(order: 'arrival' | 'reverse' = 'arrival'): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    if (order === 'reverse') held.reverse();
    for (const message of held) this.#deliver(message);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    this.#listeners.clear();
    channels.get(this.channel)?.delete(this.#member);
  }

  #arrive(message: Uint8Array): void {
    if (!this.#connected) return;
    if (this.dropIncoming?.(message)) return;
    if (this.#held) this.#held.push(message);
    // Delivered on a later tick, as a network would.
    else queueMicrotask(() => this.#deliver(message));
  }

  #deliver(message: Uint8Array): void {
    if (!this.#connected) return;
    this.received++;
    for (const listener of this.#listeners) listener(message);
  }
}
