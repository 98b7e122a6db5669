import type { Clock } from '@cache/core';

/** A clock that moves only when told: drives expiry in tests without sleeping. */
export class ManualClock implements Clock {
  #now: number;

  /** @param start - The starting time in epoch ms. @default 1_700_000_000_000 */
  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('a clock only moves forward');
    this.#now += ms;
  }

  /** Sets the time (never backwards). */
  set(ms: number): void {
    if (ms < this.#now) throw new RangeError('a clock only moves forward');
    this.#now = ms;
  }
}
