/**
 * How a `getOrSet({ lock })` waits for a lock that another process holds, the same on every shared
 * backend: the lock is tried at once, then again after pauses that double from `initialDelay` up
 * to `maxDelay`. Each pause is between half and all of its step, at random, so that processes that
 * began waiting together do not retry in step; and it is cut to the time left, so the last try
 * happens at the deadline and the wait never outlasts it.
 */
import { type Clock, systemClock } from './clock.js';
import { MAX_TIMER_MS } from './duration.js';
import { CacheConfigError } from './errors.js';

/** The first pause, in ms. */
const DEFAULT_INITIAL_DELAY = 5;
/** The longest pause, in ms. */
const DEFAULT_MAX_DELAY = 50;

/** How {@link waitForLock} waits. */
export interface LockWaitOptions {
  /** How long to wait in ms, from the call: `0` tries once. At most 2^31-1 ms. */
  wait: number;
  /** The first pause between two tries, in ms (capped by `maxDelay`). @default 5 */
  initialDelay?: number | undefined;
  /** The longest pause between two tries, in ms. @default 50 */
  maxDelay?: number | undefined;
  /** The time that the deadline is measured in. @default systemClock */
  clock?: Clock | undefined;
  /**
   * Pauses for `ms` milliseconds. The default is a timer that keeps the process alive, as any
   * pending operation does. @default a `setTimeout`
   */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** A number in [0, 1) for each pause's random part. @default Math.random */
  random?: (() => number) | undefined;
}

function timerSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function delay(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0 && value <= MAX_TIMER_MS)) {
    throw new CacheConfigError(`${what} must be positive and at most ${MAX_TIMER_MS} ms; got ${value}`);
  }
  return value;
}

/**
 * Calls `tryAcquire` until it gives something other than `undefined` (the lock's release, say),
 * with capped exponential backoff and jitter between the tries, until `wait` runs out.
 * @returns what `tryAcquire` gave, or `undefined` when the wait ran out first.
 * @throws CacheConfigError for a `wait` that is not between 0 and 2^31-1 ms, or a delay that is
 *   not positive and at most that; whatever `tryAcquire` throws.
 */
export async function waitForLock<T>(
  tryAcquire: () => Promise<T | undefined>,
  options: LockWaitOptions,
): Promise<T | undefined> {
  const { wait, clock = systemClock, sleep = timerSleep, random = Math.random } = options;
  if (!(wait >= 0 && wait <= MAX_TIMER_MS)) {
    throw new CacheConfigError(`lock wait must be between 0 and ${MAX_TIMER_MS} ms; got ${wait}`);
  }
  const maxDelay = delay(options.maxDelay, DEFAULT_MAX_DELAY, 'maxDelay');
  let step = Math.min(delay(options.initialDelay, DEFAULT_INITIAL_DELAY, 'initialDelay'), maxDelay);
  const deadline = clock.now() + wait;
  for (;;) {
    const acquired = await tryAcquire();
    if (acquired !== undefined) return acquired;
    const left = deadline - clock.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(step * (0.5 + random() / 2), left));
    step = Math.min(step * 2, maxDelay);
  }
}
