import type { Clock } from '@cache/core';

/** The clock the suite injects when a cache takes one: it moves only when a test moves it. */
export class ContractClock implements Clock {
  #now: number;

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }
}
