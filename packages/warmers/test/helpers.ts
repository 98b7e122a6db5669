import type { ManualClock } from '@cache/core';
import type { Timers } from '../src/index.js';

/** Lets pending promise callbacks and I/O callbacks run (no time passes). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A promise the test resolves. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Timers on a manual clock: `advance(ms)` moves the clock and fires what comes due, in order. */
export class ManualTimers implements Timers {
  readonly clock: ManualClock;
  /** Every delay asked for, in order. */
  readonly delays: number[] = [];
  readonly #due = new Map<number, { at: number; callback: () => void }>();
  #next = 1;

  constructor(clock: ManualClock) {
    this.clock = clock;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.delays.push(ms);
    this.#due.set(id, { at: this.clock.now() + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#due.delete(handle as number);
  }

  get pending(): number {
    return this.#due.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      await settle();
      let first: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#due)
        if (entry[1].at <= end && (!first || entry[1].at < first[1].at)) first = entry;
      if (!first) break;
      this.#due.delete(first[0]);
      this.clock.set(Math.max(this.clock.now(), first[1].at));
      first[1].callback();
    }
    this.clock.set(end);
    await settle();
  }
}

/** Timers whose callbacks run at once (on the next turn), recording the delays asked for. */
export class ImmediateTimers implements Timers {
  readonly delays: number[] = [];
  setTimeout(callback: () => void, ms: number): unknown {
    this.delays.push(ms);
    return setImmediate(callback);
  }
  clearTimeout(handle: unknown): void {
    clearImmediate(handle as NodeJS.Immediate);
  }
}
