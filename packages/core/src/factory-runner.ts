/**
 * `getOrSet` of `BaseCache`: its argument checks and trace, then whether to compute (a fresh
 * entry, a stale one served while a refresh runs, a computation in flight to join: see
 * get-or-set.ts for the single-flight), and one computation of a key (the shared lock where the
 * backend has one, the factory, then the write). The cache is seen through a
 * {@link FactoryHost}, its own operations seen from outside.
 */
import type { LockRelease } from './base-cache.js';
import {
  type CacheOperationMessage,
  cacheChannels,
  cacheTracing,
  traceCacheOperation,
  traceOperation,
} from './diagnostics.js';
import type { StoredEntry } from './entry.js';
import { type CacheError, CacheConfigError, toCacheError } from './errors.js';
import { type Flight, type FlightTable, type GetOrSetPlan, planGetOrSet, runFactory } from './get-or-set.js';
import { validateKey } from './keys.js';
import type { BackendErrorPolicy, FactoryContext, GetOrSetOptions } from './types.js';

/** Whether an entry was found live, found expired (and known), or not found. */
export type Lookup<V> =
  | { state: 'fresh'; entry: StoredEntry<V> }
  | { state: 'stale'; entry: StoredEntry<V> }
  | undefined;

/** What a computation needs of its cache. */
export interface FactoryHost<V> {
  /** The cache's name, for traces. */
  readonly name: string;
  /** The key length limit in UTF-8 bytes. */
  readonly maxKeyBytes: number;
  /** Throws when the cache is closed. */
  checkOpen(): void;
  /** Reads and classifies the entry of `key`. */
  read(key: string): Promise<Lookup<V>>;
  /** Stores a computed value (with a stale window, in ms), counted and announced as a `set`. */
  write(key: string, value: V, options: GetOrSetOptions | undefined, staleWindow: number): Promise<void>;
  /** Takes the shared lock of `key`: the release, or `undefined` when the wait ran out. */
  acquireLock(key: string, lease: number, wait: number): Promise<LockRelease | undefined> | undefined;
  /** Reports a failure that the caller does not see (an `error` event). */
  reportError(error: CacheError, key?: string): void;
  /** Reports a backend failure and throws it as a `CacheError`. */
  fail(error: unknown, key?: string): never;
  /** Counts a hit or a miss, with its event. */
  count(key: string, hit: boolean): void;
  /** The current time by the cache's clock. */
  now(): number;
}

/** A call of `getOrSet`, checked. */
export interface GetOrSetCall<V> {
  key: string;
  factory: (ctx: FactoryContext<V>) => V | Promise<V>;
  options: GetOrSetOptions | undefined;
  plan: GetOrSetPlan;
}

/** What one computation works with. */
interface Computation<V> extends GetOrSetCall<V> {
  /** The expired entry read before, whose value the factory sees as `staleValue`. */
  stale: StoredEntry<V> | undefined;
  /** The backend's read failed: compute without touching it again (no lock, no write). */
  offline: boolean;
}

/**
 * `getOrSet`: checks the key, the factory and the options (`onBackendError` is the cache's default
 * policy), and the closed state, then resolves the call, traced when someone listens.
 */
export function getOrSet<V>(
  host: FactoryHost<V>,
  flights: FlightTable<V>,
  onBackendError: BackendErrorPolicy,
  key: string,
  factory: GetOrSetCall<V>['factory'],
  options: GetOrSetOptions | undefined,
): Promise<V> {
  if (cacheTracing.getOrSet.hasSubscribers) {
    const message: CacheOperationMessage = { cache: host.name, operation: 'getOrSet', key };
    return traceCacheOperation(message, () =>
      checkGetOrSet(host, flights, onBackendError, key, factory, options, message),
    );
  }
  return checkGetOrSet(host, flights, onBackendError, key, factory, options, undefined);
}

async function checkGetOrSet<V>(
  host: FactoryHost<V>,
  flights: FlightTable<V>,
  onBackendError: BackendErrorPolicy,
  key: string,
  factory: GetOrSetCall<V>['factory'],
  options: GetOrSetOptions | undefined,
  message: CacheOperationMessage | undefined,
): Promise<V> {
  validateKey(key, host.maxKeyBytes);
  if (typeof factory !== 'function') throw new CacheConfigError('getOrSet takes a factory function');
  const plan = planGetOrSet(options, onBackendError);
  host.checkOpen();
  return resolveGetOrSet(host, flights, { key, factory, options, plan }, message);
}

/**
 * `getOrSet` once its arguments are checked: a fresh entry is a hit; an expired one within the
 * stale-while-revalidate window is served while a refresh runs in the background; otherwise the
 * caller joins the computation of the key in flight or starts one, and gets the stale value when
 * that fails within the stale-if-error window.
 */
async function resolveGetOrSet<V>(
  host: FactoryHost<V>,
  flights: FlightTable<V>,
  call: GetOrSetCall<V>,
  message: CacheOperationMessage | undefined,
): Promise<V> {
  const { key, plan } = call;
  const now = host.now();
  let found: Lookup<V>;
  let readFailed = false;
  // A computation of this key that ends while the read is in flight has just stored a value the
  // read may have missed: read again once rather than compute it a second time.
  for (let attempt = 0; attempt < 2; attempt++) {
    const mark = flights.beginRead(key);
    let raced = false;
    try {
      found = await host.read(key);
    } catch (error) {
      if (!plan.bypass) host.fail(error, key);
      // The backend is down: compute without touching it again (no lock, no write).
      host.reportError(toCacheError(error, 'backend read failed; bypassing the cache', key), key);
      readFailed = true;
    } finally {
      raced = flights.endRead(key, mark);
    }
    if (readFailed || found?.state === 'fresh' || !raced) break;
  }
  if (found?.state === 'fresh') {
    host.count(key, true);
    if (message) message.hit = true;
    return found.entry.value;
  }
  const stale = found?.entry;
  const job: Computation<V> = { ...call, stale, offline: readFailed };
  const run = (flight: Flight<V>) => compute(host, job, flight);
  if (stale && plan.swr > 0 && stale.expiresAt !== undefined && now < stale.expiresAt + plan.swr) {
    host.count(key, true);
    if (message) message.hit = true;
    // The refresh runs in the background, bounded by this caller's timeout.
    flights
      .join(key, run)
      .wait(key, plan.timeout)
      .catch((error) => host.reportError(toCacheError(error, 'background refresh failed', key), key));
    return stale.value;
  }
  host.count(key, false);
  if (message) message.hit = false;
  // Join the computation in flight, or start one; this caller's own limits apply to its wait.
  const flight = flights.join(key, run);
  let value: V;
  try {
    value = await flight.wait(key, plan.timeout);
  } catch (error) {
    if (
      stale &&
      plan.sie > 0 &&
      stale.expiresAt !== undefined &&
      host.now() < stale.expiresAt + plan.sie &&
      flight.allowsStale(error)
    ) {
      // One error report per failed computation, however many callers it serves stale.
      if (!flight.staleReported) {
        flight.staleReported = true;
        host.reportError(toCacheError(error, 'factory failed; serving stale value', key), key);
      }
      return stale.value;
    }
    throw error;
  }
  if (flight.backendError !== undefined && !plan.bypass) throw flight.backendError;
  return value;
}

/**
 * Runs one computation: the lock, the factory, the write. Ends early when `flight` is abandoned.
 * When it bypasses backend failures (`plan.bypass`), a failed lock computes without it and a
 * failed write is reported and leaves `flight.backendError`; `offline` skips both.
 */
async function compute<V>(host: FactoryHost<V>, job: Computation<V>, flight: Flight<V>): Promise<V> {
  const { key, plan } = job;
  const release = plan.lock && !job.offline ? await takeLock(host, key, plan, flight) : undefined;
  if (release) {
    // Another process may have computed the value while this one waited.
    let found: Lookup<V>;
    try {
      found = await host.read(key);
    } catch (error) {
      // The read after the wait is an optimisation: compute when it fails.
      host.reportError(toCacheError(error, 'read after lock failed', key), key);
      found = undefined;
    }
    if (found?.state === 'fresh') {
      await release().catch(() => undefined);
      return found.entry.value;
    }
  }
  try {
    const staleValue = job.stale?.value;
    const value = await (cacheChannels.load.hasSubscribers
      ? traceOperation(cacheChannels.load, { cache: host.name, operation: 'load', key }, () =>
          runFactory(key, job.factory, staleValue, flight),
        )
      : runFactory(key, job.factory, staleValue, flight));
    if (job.offline) return value;
    try {
      await host.write(key, value, job.options, Math.max(plan.swr, plan.sie));
    } catch (error) {
      if (!plan.bypass) host.fail(error, key);
      flight.backendError = toCacheError(error, 'backend write failed; bypassing the cache', key);
      host.reportError(flight.backendError as CacheError, key);
    }
    return value;
  } finally {
    if (release)
      await release().catch((error) =>
        host.reportError(toCacheError(error, 'lock release failed', key), key),
      );
  }
}

/** Takes the lock of `getOrSet({ lock })`; a bypassing computation goes on without it when the backend fails. */
async function takeLock<V>(
  host: FactoryHost<V>,
  key: string,
  plan: GetOrSetPlan,
  flight: Flight<V>,
): Promise<LockRelease | undefined> {
  const lock = plan.lock as { lease: number; wait: number };
  let release: LockRelease | undefined;
  try {
    release = await host.acquireLock(key, lock.lease, lock.wait);
  } catch (error) {
    if (!plan.bypass) throw error;
    host.reportError(toCacheError(error, 'lock failed; computing without it', key), key);
    return undefined;
  }
  if (release && flight.signal.aborted) {
    await release().catch(() => undefined);
    throw flight.signal.reason;
  }
  return release;
}
