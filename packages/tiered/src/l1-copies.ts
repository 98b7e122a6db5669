/**
 * The copies a tiered cache keeps in L1: how they go in (their TTL capped by `l1MaxTtl`, and by
 * `busDownL1Ttl` while the bus is down; synchronously into a `MemoryCache`), how they go out,
 * and the marks that keep a stale value out of L1: the {@link PromoteGuard} of the reads in
 * flight and, with `onRemoteSet: 'stale'`, the copies that peers' writes replaced. L1 is a cache
 * of L2 here, so an L1 failure never fails a call: L1 reports it with its own `error` event.
 */
import type { Cache, CacheEntryInfo, CacheError, Clock, GetOrSetOptions, SetOptions } from '@cache/core';
import { cacheTracing } from '@cache/core';
import { parseTtl, toCacheError } from '@cache/core/backend';
import { PromoteGuard } from './promote-guard.js';
import { StaleCopies } from './stale-copies.js';
import type { TieredCounters } from './tiered-events.js';

const SET_TRACING = cacheTracing.set;

/** What the copies need from their tiered cache. */
export interface L1CopiesOptions {
  clock: Clock;
  l1MaxTtl: number | undefined;
  busDownL1Ttl: number;
  /** `onRemoteSet: 'stale'`: keep up to this many replaced copies (else none). */
  keepStale: number | undefined;
  counters: TieredCounters;
  report(error: CacheError): void;
  /** Whether the bus is down (then copies live at most `busDownL1Ttl`). */
  busDown(): boolean;
}

/** The expiry of an entry written now with these options. */
export function expiresAt(write: SetOptions, clock: Clock): number | undefined {
  const ttl = parseTtl(write.ttl);
  return ttl === undefined ? undefined : clock.now() + ttl;
}

export class L1Copies<V> {
  /** Reads (and computations) in flight, and the invalidations that keep their values out of L1. */
  readonly guard = new PromoteGuard();
  readonly #l1: Cache<V>;
  readonly #options: L1CopiesOptions;
  /** `onRemoteSet: 'stale'`: copies replaced by peers' writes, served only while L2 fails. */
  readonly #stale: StaleCopies<V> | undefined;
  /** An L1 with a synchronous write (`MemoryCache`): copies go in without a promise (unless traced). */
  readonly #setSync: { setSync(key: string, value: V, options?: SetOptions): void } | undefined;

  constructor(l1: Cache<V>, options: L1CopiesOptions) {
    this.#l1 = l1;
    this.#options = options;
    this.#stale = options.keepStale === undefined ? undefined : new StaleCopies(options.keepStale);
    const setSync = l1 as Partial<{ setSync(key: string, value: V, options?: SetOptions): void }>;
    this.#setSync =
      typeof setSync.setSync === 'function'
        ? (setSync as { setSync(key: string, value: V, options?: SetOptions): void })
        : undefined;
  }

  /** This instance writes, removes or invalidates `key`: reads in flight must not install it, stale copies go. */
  touch(key: string): void {
    this.guard.invalidate(key);
    this.#stale?.forget(key);
  }

  /** Anything may have changed (clear, a pattern, tags, a flush). */
  touchAll(): void {
    this.guard.invalidateAll();
    this.#stale?.clear();
  }

  /** `onRemoteSet: 'stale'`: keeps the copies of these keys that a peer's write replaces. */
  keepStale(keys: readonly string[]): Promise<void> | undefined {
    const stale = this.#stale;
    if (stale === undefined) return undefined;
    return this.#l1.getMany(keys).then((values) => {
      keys.forEach((key, i) => {
        if (values[i] !== undefined) stale.keep(key, values[i] as V);
      });
    });
  }

  /** The copy of `key` that a peer's write replaced, as an entry (served while L2 fails). */
  staleEntry(key: string): CacheEntryInfo<V> | undefined {
    const stale = this.#stale?.get(key);
    return stale === undefined
      ? undefined
      : { key, value: stale, createdAt: 0, expiresAt: undefined, tags: [] };
  }

  /** The TTL of an L1 copy of an entry that expires at `expiresAt`: capped by l1MaxTtl and, while the bus is down, busDownL1Ttl. */
  ttl(expiresAt: number | undefined): number | undefined {
    const options = this.#options;
    let ttl = expiresAt === undefined ? Number.POSITIVE_INFINITY : expiresAt - options.clock.now();
    if (options.l1MaxTtl !== undefined) ttl = Math.min(ttl, options.l1MaxTtl);
    if (options.busDown()) ttl = Math.min(ttl, options.busDownL1Ttl);
    return ttl === Number.POSITIVE_INFINITY ? undefined : ttl;
  }

  /** Options for a write straight into L1 (spill mode, or a computation while L2 fails): the TTL capped. */
  options(options: GetOrSetOptions): GetOrSetOptions {
    const ttl = this.ttl(expiresAt(options, this.#options.clock));
    const { ttl: _ttl, ...rest } = options;
    return ttl === undefined ? rest : { ...rest, ttl };
  }

  /**
   * Copies a value into L1. Returns `undefined` when it is done (a synchronous L1 took it), else
   * the promise of the copy.
   */
  install(
    key: string,
    value: V,
    expiresAt: number | undefined,
    tags: readonly string[] | undefined,
    promotion: boolean,
  ): Promise<void> | undefined {
    const ttl = this.ttl(expiresAt);
    if (ttl !== undefined && ttl <= 0) return undefined;
    const options: SetOptions = {};
    if (ttl !== undefined) options.ttl = ttl;
    if (tags !== undefined && tags.length > 0) options.tags = tags;
    const sync = this.#setSync;
    // Traced, the copy goes through L1's own `set`, so that L1's span is there.
    if (sync === undefined || SET_TRACING.hasSubscribers)
      return this.#installAsync(key, value, options, promotion);
    try {
      sync.setSync(key, value, options);
    } catch {
      // L1 refused the copy (too large for it, for example): reads go to L2.
      return this.drop(key);
    }
    if (promotion) this.#options.counters.promotions++;
    return undefined;
  }

  async #installAsync(key: string, value: V, options: SetOptions, promotion: boolean): Promise<void> {
    try {
      await this.#l1.set(key, value, options);
      if (promotion) this.#options.counters.promotions++;
    } catch {
      // L1 refused the copy (too large for it, for example): reads go to L2.
      await this.#l1.delete(key).catch(() => undefined);
    }
  }

  /**
   * This instance wrote `value` to L2: reads of the key in flight may have read L2 before, so
   * none of them installs; the value is copied into L1 when nothing invalidated the key while
   * the write was in flight (`current`), else any older copy goes. Returns `undefined` when it
   * is done, as {@link install}.
   */
  written(
    key: string,
    value: V,
    expiresAt: number | undefined,
    tags: readonly string[] | undefined,
    current: boolean,
  ): Promise<void> | undefined {
    this.touch(key);
    return current ? this.install(key, value, expiresAt, tags, false) : this.drop(key);
  }

  /** Removes an L1 copy that may be older than L2's value. */
  async drop(key: string): Promise<void> {
    await this.#l1.delete(key).catch(() => undefined);
  }

  /** Empties L1 (messages were lost, or L2 lost writes). */
  async flush(): Promise<void> {
    this.touchAll();
    this.#options.counters.l1Flushes++;
    try {
      await this.#l1.clear();
    } catch (error) {
      this.#options.report(toCacheError(error, 'emptying L1 failed'));
    }
  }
}
