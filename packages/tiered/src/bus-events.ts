import type { CacheBusEvents } from '@cache/core/backend';

/** The connection events of a bus, for transports that implement `CacheBus`. */
export class BusEvents {
  readonly #listeners = new Map<keyof CacheBusEvents, Set<(payload: never) => void>>();

  /** Subscribes; returns the unsubscribe. */
  on<E extends keyof CacheBusEvents>(event: E, listener: (payload: CacheBusEvents[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const entry = listener as (payload: never) => void;
    set.add(entry);
    return () => set.delete(entry);
  }

  /** Calls every listener of `event`; a listener that throws does not stop the others. */
  emit<E extends keyof CacheBusEvents>(event: E, payload: CacheBusEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (payload: CacheBusEvents[E]) => void)(payload);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}
