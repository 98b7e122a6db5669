/**
 * What stops a run: the caller's `AbortSignal` and a deadline. `stopped` turns true at most once;
 * then every wait in {@link Stopper.race} ends, and an internal controller passes the stop on to
 * the loaders.
 */
import type { PlatformAbortSignal } from '@cache/core';
import { MAX_TIMER_MS } from '@cache/core/backend';
import type { Clock } from '@cache/core';
import type { Timers } from '../timers.js';
import { unref } from './unref.js';

/** Why a run stopped early: its signal, its deadline, or a failure of its source (`error`). */
export type StopReason = 'signal' | 'deadline' | 'error';

/** Thrown inside a run when it stopped while an operation waited; the operation is abandoned. */
export class Stopped {
  readonly stopped = true;
}

export class Stopper {
  readonly #controller = new AbortController();
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #deadlineAt: number | undefined;
  readonly #signal: PlatformAbortSignal | undefined;
  readonly #onAbort = (): void => this.stop('signal');
  readonly #waiters = new Set<(error: Stopped) => void>();
  #timer: unknown;
  #reason: StopReason | undefined;

  constructor(
    clock: Clock,
    timers: Timers,
    signal: PlatformAbortSignal | undefined,
    deadlineAt: number | undefined,
  ) {
    this.#clock = clock;
    this.#timers = timers;
    this.#signal = signal;
    this.#deadlineAt = deadlineAt;
    if (signal?.aborted) this.stop('signal');
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (deadlineAt !== undefined && this.#reason === undefined) this.#arm();
  }

  /** Aborted when the run stops: given to loaders and to the task of a schedule. */
  get signal(): PlatformAbortSignal {
    return this.#controller.signal;
  }

  /** Why the run stopped, or `undefined` while it goes on. */
  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** Whether the run must stop: stopped already, or past its deadline by the clock. */
  get stopped(): boolean {
    if (this.#reason === undefined && this.#deadlineAt !== undefined && this.#clock.now() >= this.#deadlineAt)
      this.stop('deadline');
    return this.#reason !== undefined;
  }

  /**
   * `promise`, or a rejection with {@link Stopped} as soon as the run stops (at once when it has).
   * Nothing stays registered once `promise` settles, so a long run does not pile up listeners.
   */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.stopped) return Promise.reject(new Stopped());
    return new Promise<T>((resolve, reject) => {
      this.#waiters.add(reject);
      promise.then(
        (value) => {
          this.#waiters.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.#waiters.delete(reject);
          reject(error);
        },
      );
    });
  }

  /** Stops the run (the first reason wins). */
  stop(reason: StopReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#release();
    this.#controller.abort();
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const reject of waiters) reject(new Stopped());
  }

  /** Removes the listener and the timer; the run is over. */
  dispose(): void {
    this.#release();
  }

  #arm(): void {
    const left = (this.#deadlineAt as number) - this.#clock.now();
    if (left <= 0) {
      this.stop('deadline');
      return;
    }
    // A timer fires after 1 ms beyond MAX_TIMER_MS: wait in steps, checking the clock each time.
    this.#timer = this.#timers.setTimeout(
      () => {
        this.#timer = undefined;
        if (this.#reason === undefined) this.#arm();
      },
      Math.min(left, MAX_TIMER_MS),
    );
    unref(this.#timer);
  }

  #release(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#timer !== undefined) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
