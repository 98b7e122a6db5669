/**
 * The listeners of a `RedisBus`: the message listeners and the `connect` / `disconnect` / `error`
 * listeners, each called in turn so that one that throws stops neither the others nor the bus.
 * Apart from redis-bus.ts, whose file holds the connections' state machine.
 */
import { CacheError } from '@cache/core';
import type { CacheBusEvents } from '@cache/core/backend';

type Listener<E extends keyof CacheBusEvents> = (payload: CacheBusEvents[E]) => void;

export class BusListeners {
  readonly #messages = new Set<(message: Uint8Array) => void>();
  readonly #events: { [E in keyof CacheBusEvents]: Set<Listener<E>> } = {
    connect: new Set(),
    disconnect: new Set(),
    error: new Set(),
  };

  /** Adds a message listener; returns the unsubscribe. */
  subscribe(listener: (message: Uint8Array) => void): () => void {
    // A wrapper per call, so that the same function subscribed twice is called twice.
    const entry = (message: Uint8Array): void => listener(message);
    this.#messages.add(entry);
    return () => {
      this.#messages.delete(entry);
    };
  }

  /** Adds an event listener; returns the unsubscribe. @throws CacheError for an unknown event. */
  on<E extends keyof CacheBusEvents>(event: E, listener: Listener<E>): () => void {
    const set = this.#events[event] as Set<Listener<E>> | undefined;
    if (set === undefined) throw new CacheError(`RedisBus has no event ${JSON.stringify(event)}`);
    const entry: Listener<E> = (payload) => listener(payload);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Whether anyone listens to `error`. */
  get hearsErrors(): boolean {
    return this.#events.error.size > 0;
  }

  /** Calls every message listener; one that throws is reported as an `error` event. */
  deliver(message: Uint8Array): void {
    for (const listener of [...this.#messages]) {
      try {
        listener(message);
      } catch (error) {
        this.emit('error', { error });
      }
    }
  }

  emit<E extends keyof CacheBusEvents>(event: E, payload: CacheBusEvents[E]): void {
    for (const listener of [...this.#events[event]] as Listener<E>[]) {
      try {
        listener(payload);
      } catch {
        // A listener that throws must not stop the others nor the bus.
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.#messages.clear();
    for (const set of Object.values(this.#events)) set.clear();
  }
}
