/**
 * The single-flight machinery of `getOrSet`: one computation per key at a time, shared by every
 * caller that asks while it runs, with each caller's own limits.
 *
 * - A caller's `timeout` bounds its own wait, from the moment it joins the computation (the lock
 *   wait, the factory and the write): past it that caller fails with `CacheTimeoutError` while
 *   the computation goes on for the others.
 * - A caller's `staleIfError` decides whether that caller is served the stale value that it read
 *   when the factory fails or its own wait times out; other callers are not affected.
 * - The computation's abort signal (the factory's `ctx.signal`) fires when every caller has
 *   stopped waiting; the computation then ends at once and writes nothing.
 */
import type { Duration } from './duration.js';
import { parseLifetime, parseTimerDuration } from './duration.js';
import { CacheConfigError, CacheTimeoutError } from './errors.js';
import { validateSetOptions } from './options.js';
import type { BackendErrorPolicy, FactoryContext, GetOrSetOptions } from './types.js';

const DEFAULT_LOCK_LEASE = 30_000;
const DEFAULT_LOCK_WAIT = 10_000;

/** The checked options of one `getOrSet` call. */
export interface GetOrSetPlan {
  /** This caller's time limit in ms; `undefined` = none. */
  timeout: number | undefined;
  /** The stale-while-revalidate window in ms (0 = none). */
  swr: number;
  /** The stale-if-error window in ms (0 = none). */
  sie: number;
  /** The lock to take on shared backends, in ms. */
  lock: { lease: number; wait: number } | undefined;
  /** Whether a backend failure runs the factory instead of failing (`onBackendError: 'bypass'`). */
  bypass: boolean;
}

/**
 * Checks the options of `getOrSet` before anything runs.
 * @throws CacheConfigError for options that are not an object, bad durations (a `timeout`,
 *   `lock.lease` or `lock.wait` beyond what a timer takes included), a bad `ttl` or bad tags.
 */
export function planGetOrSet(options: GetOrSetOptions | undefined, policy: BackendErrorPolicy): GetOrSetPlan {
  validateSetOptions(options, 'getOrSet');
  if (options === undefined)
    return { timeout: undefined, swr: 0, sie: 0, lock: undefined, bypass: policy === 'bypass' };
  const { lock } = options;
  if (lock !== undefined && typeof lock !== 'boolean' && (lock === null || typeof lock !== 'object'))
    throw new CacheConfigError('lock must be a boolean or an object');
  const timeout =
    options.timeout === undefined ? undefined : parseTimerDuration(options.timeout, 'timeout', 'none');
  return {
    timeout: timeout === Number.POSITIVE_INFINITY ? undefined : timeout,
    swr: lifetime(options.staleWhileRevalidate, 'staleWhileRevalidate'),
    sie: lifetime(options.staleIfError, 'staleIfError'),
    lock:
      lock === undefined || lock === false
        ? undefined
        : {
            lease: timer(lock === true ? undefined : lock.lease, 'lock.lease', DEFAULT_LOCK_LEASE),
            wait: timer(lock === true ? undefined : lock.wait, 'lock.wait', DEFAULT_LOCK_WAIT),
          },
    bypass: backendErrorPolicy(options.onBackendError, policy) === 'bypass',
  };
}

/**
 * Checks an `onBackendError` option; `undefined` gives `fallback`.
 * @throws CacheConfigError for anything but `'throw'` and `'bypass'`.
 */
export function backendErrorPolicy(value: unknown, fallback: BackendErrorPolicy): BackendErrorPolicy {
  if (value === undefined) return fallback;
  if (value !== 'throw' && value !== 'bypass')
    throw new CacheConfigError(`onBackendError must be 'throw' or 'bypass', got ${JSON.stringify(value)}`);
  return value;
}

function lifetime(value: Duration | undefined, what: string): number {
  return value === undefined ? 0 : parseLifetime(value, what);
}

function timer(value: Duration | undefined, what: string, fallback: number): number {
  return value === undefined ? fallback : parseTimerDuration(value, what);
}

/** The timeouts of callers' own waits, told apart from the backend's own `CacheTimeoutError`s. */
const waitTimeouts = new WeakSet<object>();

/**
 * One computation of a key, shared by the callers that wait for it. It counts its callers: when
 * the last one stops waiting before it ends, its signal is aborted and it is abandoned.
 */
export class Flight<V> {
  readonly #controller = new AbortController();
  readonly #result: Promise<V>;
  readonly #onAbandon: () => void;
  #waiters = 0;
  #unbounded = false;
  #settled = false;
  /** Whether the computation failed in the factory (not in the backend): `staleIfError` applies. */
  factoryFailed = false;
  /** Whether a caller served a stale value for this computation's failure and reported it. */
  staleReported = false;
  /**
   * The backend's error when a bypassing computation could not write its value (it reported it):
   * callers that do not bypass fail with it.
   */
  backendError: unknown;

  /**
   * Starts `compute` at once. `onEnd` is called once, when the computation settles or is
   * abandoned, whichever comes first: a new caller must then start a new computation.
   */
  constructor(compute: (flight: Flight<V>) => Promise<V>, onEnd: () => void) {
    let ended = false;
    const end = () => {
      if (!ended) {
        ended = true;
        onEnd();
      }
    };
    this.#onAbandon = end;
    this.#result = compute(this).finally(() => {
      this.#settled = true;
      end();
    });
    // Nobody may be waiting when an abandoned computation rejects.
    this.#result.catch(() => undefined);
  }

  /** Aborted when every caller has stopped waiting; the factory's `ctx.signal`. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * The computation's value, for one caller: rejects with the computation's error, or with
   * `CacheTimeoutError` (`CACHE_TIMEOUT`, naming `key`) once `timeout` ms have passed for this
   * caller (`undefined` = no limit).
   */
  wait(key: string, timeout: number | undefined): Promise<V> {
    if (timeout === undefined) {
      // A caller without a limit keeps the computation going until it ends.
      this.#unbounded = true;
      return this.#result;
    }
    this.#waiters++;
    return new Promise<V>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new CacheTimeoutError(`getOrSet waited past its timeout of ${timeout} ms`, { key });
        waitTimeouts.add(error);
        reject(error);
        this.#leave(error);
      }, timeout);
      this.#result.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Whether a caller may serve its stale value for this error (`staleIfError`). */
  allowsStale(error: unknown): boolean {
    return this.factoryFailed || (typeof error === 'object' && error !== null && waitTimeouts.has(error));
  }

  #leave(reason: CacheTimeoutError): void {
    this.#waiters--;
    if (this.#waiters === 0 && !this.#unbounded && !this.#settled) {
      this.#controller.abort(reason);
      this.#onAbandon();
    }
  }
}

/** The computations in flight, one per key. */
export class FlightTable<V> {
  readonly #flights = new Map<string, Flight<V>>();
  /** Per key with reads in flight: how many, and how many computations of the key have ended. */
  readonly #reads = new Map<string, { readers: number; ended: number }>();

  /**
   * Marks the start of the read that precedes a computation; pass the mark to {@link endRead}.
   * A computation that ends while the read is in flight may have stored what the read missed.
   */
  beginRead(key: string): number {
    const reads = this.#reads.get(key);
    if (reads) {
      reads.readers++;
      return reads.ended;
    }
    this.#reads.set(key, { readers: 1, ended: 0 });
    return 0;
  }

  /** Ends a read: whether a computation of `key` ended since {@link beginRead} (and none runs now). */
  endRead(key: string, mark: number): boolean {
    const reads = this.#reads.get(key);
    if (!reads) return false;
    const ended = reads.ended !== mark;
    if (--reads.readers === 0) this.#reads.delete(key);
    return ended && !this.#flights.has(key);
  }

  /** The computation of `key` in flight, or a new one running `compute`. */
  join(key: string, compute: (flight: Flight<V>) => Promise<V>): Flight<V> {
    const running = this.#flights.get(key);
    if (running) return running;
    // `onEnd` runs asynchronously at the earliest, after the flight is in the table.
    const flight: Flight<V> = new Flight(compute, () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
      const reads = this.#reads.get(key);
      if (reads) reads.ended++;
    });
    this.#flights.set(key, flight);
    return flight;
  }
}

/**
 * Runs a factory with its context (at once, so that it starts in the caller's tick). Ends when the factory settles, or at once with the signal's
 * reason when the signal is aborted (the factory's own work is its business: it sees the signal).
 * Marks the flight when the factory itself failed.
 */
export function runFactory<V>(
  key: string,
  factory: (ctx: FactoryContext<V>) => V | Promise<V>,
  staleValue: V | undefined,
  flight: Flight<V>,
): Promise<V> {
  const { signal } = flight;
  const ctx: FactoryContext<V> = { key, staleValue, signal };
  return new Promise<V>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let result: V | Promise<V>;
    try {
      result = factory(ctx);
    } catch (error) {
      flight.factoryFailed = true;
      reject(error);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(result).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) flight.factoryFailed = true;
        reject(error);
      },
    );
  });
}
