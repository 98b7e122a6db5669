/**
 * One computation of `getOrSet` for a key: the shared lock where the backend has one, the factory,
 * then the write. `BaseCache` decides whether to compute (a miss, a stale entry, a computation to
 * join: see get-or-set.ts for the single-flight) and hands the computation here with a
 * {@link FactoryHost}, its own operations seen from outside.
 */
import type { LockRelease } from './base-cache.js';
import { cacheChannels, traceOperation } from './diagnostics.js';
import type { StoredEntry } from './entry.js';
import { type CacheError, toCacheError } from './errors.js';
import { type Flight, type GetOrSetPlan, runFactory } from './get-or-set.js';
import type { FactoryContext, GetOrSetOptions } from './types.js';

/** Whether an entry was found live, found expired (and known), or not found. */
export type Lookup<V> =
  | { state: 'fresh'; entry: StoredEntry<V> }
  | { state: 'stale'; entry: StoredEntry<V> }
  | undefined;

/** What a computation needs of its cache. */
export interface FactoryHost<V> {
  /** The cache's name, for traces. */
  readonly name: string;
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
}

/** What one computation works with. */
export interface Computation<V> {
  key: string;
  factory: (ctx: FactoryContext<V>) => V | Promise<V>;
  options: GetOrSetOptions | undefined;
  plan: GetOrSetPlan;
  /** The expired entry read before, whose value the factory sees as `staleValue`. */
  stale: StoredEntry<V> | undefined;
  /** The backend's read failed: compute without touching it again (no lock, no write). */
  offline: boolean;
}

/**
 * Runs one computation: the lock, the factory, the write. Ends early when `flight` is abandoned.
 * When it bypasses backend failures (`plan.bypass`), a failed lock computes without it and a
 * failed write is reported and leaves `flight.backendError`; `offline` skips both.
 */
export async function compute<V>(host: FactoryHost<V>, job: Computation<V>, flight: Flight<V>): Promise<V> {
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
