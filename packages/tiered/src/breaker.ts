/**
 * The circuit breaker in front of L2: `threshold` failures within `window` ms open it for
 * `openFor` ms, during which L2 is not called at all; then it is half-open: one call (the probe)
 * goes through, and its outcome closes the breaker or opens it again.
 */
import { CacheConfigError, type Clock, type Duration } from '@cache/core';
import { parsePositiveInteger, parseTimerDuration } from '@cache/core/backend';

/** Options of the breaker. */
export interface BreakerOptions {
  /** Failures within `window` that open the breaker. @default 5 */
  threshold?: number | undefined;
  /** The window in which failures are counted. @default '10s' */
  window?: Duration | undefined;
  /** How long the breaker stays open before a probe. @default '5s' */
  openFor?: Duration | undefined;
}

/** The breaker's state. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  readonly #threshold: number;
  readonly #window: number;
  readonly #openFor: number;
  readonly #clock: Clock;
  /** Times of the recent failures, oldest first (at most `threshold`). */
  #failures: number[] = [];
  #openedAt: number | undefined;
  #probing = false;
  /** How many times the breaker opened. */
  opened = 0;

  constructor(options: BreakerOptions | undefined, clock: Clock) {
    if (options !== undefined && (options === null || typeof options !== 'object'))
      throw new CacheConfigError('breaker must be an object');
    this.#threshold = parsePositiveInteger(options?.threshold, 'breaker.threshold') ?? 5;
    this.#window =
      options?.window === undefined ? 10_000 : parseTimerDuration(options.window, 'breaker.window');
    this.#openFor =
      options?.openFor === undefined ? 5_000 : parseTimerDuration(options.openFor, 'breaker.openFor');
    this.#clock = clock;
  }

  /** The state now (an open breaker whose period has passed is half-open). */
  get state(): BreakerState {
    if (this.#openedAt === undefined) return 'closed';
    return this.#clock.now() - this.#openedAt >= this.#openFor ? 'half-open' : 'open';
  }

  /** How long until an open breaker lets a probe through (0 when it does now). */
  get retryIn(): number {
    return this.#openedAt === undefined ? 0 : Math.max(0, this.#openedAt + this.#openFor - this.#clock.now());
  }

  /**
   * Whether a call may go to L2 now. In the half-open state only one call at a time (the probe)
   * is let through; the caller must report its outcome with {@link success} or {@link failure}.
   */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#probing) return false;
    this.#probing = true;
    return true;
  }

  /** An L2 call succeeded: a probe closes the breaker. Returns whether the breaker just closed. */
  success(): boolean {
    this.#probing = false;
    if (this.#openedAt === undefined) return false;
    this.#openedAt = undefined;
    this.#failures = [];
    return true;
  }

  /** An L2 call failed: it counts towards opening; a failed probe opens again. Returns whether it just opened. */
  failure(): boolean {
    const now = this.#clock.now();
    if (this.#openedAt !== undefined) {
      this.#probing = false;
      this.#openedAt = now;
      return false;
    }
    this.#failures.push(now);
    while (this.#failures.length > 0 && now - (this.#failures[0] as number) > this.#window)
      this.#failures.shift();
    if (this.#failures.length < this.#threshold) return false;
    this.#openedAt = now;
    this.#failures = [];
    this.opened++;
    return true;
  }
}
