import type { Clock } from './clock.js';
import { CacheConfigError } from './errors.js';

/**
 * A clock that moves only when told. Inject it (`clock` option) to drive expiry in tests and
 * simulations without sleeping.
 *
 * @example
 * const clock = new ManualClock();
 * const cache = new MemoryCache({ clock });
 * await cache.set('a', 1, { ttl: '1s' });
 * clock.advance(1000); // 'a' has now expired
 */
export class ManualClock implements Clock {
  #now: number;

  /** @param start - The starting time in epoch ms. @default 1_700_000_000_000 */
  constructor(start = 1_700_000_000_000) {
    if (!Number.isFinite(start)) throw new CacheConfigError('a clock starts at a finite time');
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /**
   * Moves the clock forward by `ms`.
   * @throws CacheConfigError for a negative or non-finite step.
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new CacheConfigError('a clock only moves forward');
    this.#now += ms;
  }

  /**
   * Sets the time, never backwards.
   * @throws CacheConfigError for an earlier time.
   */
  set(ms: number): void {
    if (!(ms >= this.#now) || !Number.isFinite(ms)) throw new CacheConfigError('a clock only moves forward');
    this.#now = ms;
  }
}
