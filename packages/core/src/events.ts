import { CacheConfigError } from './errors.js';
import type { CacheEventMap, CacheEventName, CacheListener } from './types.js';

const EVENT_NAMES: ReadonlySet<string> = new Set<CacheEventName>([
  'hit',
  'miss',
  'set',
  'delete',
  'evict',
  'expire',
  'clear',
  'error',
]);

/**
 * A small typed emitter. `listening` is a plain boolean field so that hot paths test it
 * before building an event: with no listener an event costs one property read.
 */
export class CacheEmitter {
  /** True while at least one listener is subscribed to any event. */
  listening = false;
  readonly #listeners = new Map<CacheEventName, Set<(event: never) => void>>();

  /** Subscribes; returns the unsubscribe function. */
  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void {
    if (!EVENT_NAMES.has(event)) throw new CacheConfigError(`unknown cache event ${JSON.stringify(event)}`);
    if (typeof listener !== 'function') throw new CacheConfigError('an event listener must be a function');
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const entry = (payload: never) => listener(payload);
    set.add(entry);
    this.listening = true;
    return () => {
      set.delete(entry);
      if (set.size === 0) this.#listeners.delete(event);
      this.listening = this.#listeners.size > 0;
    };
  }

  /** Whether anyone listens to this event. */
  has(event: CacheEventName): boolean {
    return this.listening && this.#listeners.has(event);
  }

  /** Calls the listeners of an event; a throwing listener does not disturb the cache. */
  emit<E extends CacheEventName>(event: E, payload: CacheEventMap[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as CacheListener<E>)(payload);
      } catch {
        // A listener's failure is the listener's business.
      }
    }
  }
}
