/**
 * What a tiered cache tells its users: its stats (the tiered counters beside each tier's own
 * snapshot) and its events. The tiers' own removals, expiries, evictions and errors become the
 * cache's; a `getOrSet` miss is counted when L2 reports it, so that it is counted once per call.
 * An L1 hit, the hot path, is counted by the cache itself, on these stats and this emitter.
 */
import type { Cache, CacheError, CacheEventMap, CacheEventName, CacheListener } from '@cache/core';
import { CacheEmitter, CacheStats } from '@cache/core/backend';
import { traceOutcome, tracingReads } from './tracing.js';

/** The tiered counters, added to `stats.snapshot()` with each tier's own snapshot. */
export interface TieredCounters {
  /** Reads answered by L1. */
  l1Hits: number;
  /** Reads answered by L2 after an L1 miss. */
  l2Hits: number;
  /** L2 values copied into L1 by reads. */
  promotions: number;
  /** Bus messages sent. */
  busPublished: number;
  /** Bus messages received from other instances. */
  busReceived: number;
  /** Times L1 was emptied (messages lost, the bus down too long, L2 lost writes). */
  l1Flushes: number;
  /** Times the L2 circuit breaker opened. */
  breakerOpen: number;
  /** Spill mode: entries L1 evicted that went down to L2. */
  spilled: number;
}

const FORWARDED = ['delete', 'expire', 'evict'] as const;

/** The stats and events of one tiered cache. */
export class TieredEvents {
  readonly stats: CacheStats;
  readonly counters: TieredCounters = {
    l1Hits: 0,
    l2Hits: 0,
    promotions: 0,
    busPublished: 0,
    busReceived: 0,
    l1Flushes: 0,
    breakerOpen: 0,
    spilled: 0,
  };
  /** Keys whose L2 copy the cache is removing for its own bookkeeping: their `delete` events are not the user's. */
  readonly internal = new Set<string>();
  /** The cache's listeners (the L1 hit, counted by the cache itself for speed, emits on it too). */
  readonly emitter = new CacheEmitter();
  readonly #l1: Cache<unknown>;
  readonly #unsubscribe: (() => void)[] = [];
  /** `getOrSet` calls waiting for L2 to report their miss, by key (see {@link missWithL2}). */
  readonly #l2Misses = new Map<string, { pending: number; reported: number }>();
  /** Whether L1's `error` events are forwarded (from the first `error` listener on). */
  #l1Errors = false;

  /** @param snapshot The figures the other parts of the cache keep, added to the counters in `stats.snapshot()`. */
  constructor(l1: Cache<unknown>, l2: Cache<unknown>, snapshot: () => Record<string, unknown>) {
    this.#l1 = l1;
    this.stats = new CacheStats(() => ({
      ...this.counters,
      ...snapshot(),
      l1: l1.stats.snapshot(),
      l2: l2.stats.snapshot(),
    }));
    for (const event of FORWARDED) {
      this.#unsubscribe.push(l2.on(event, (payload) => this.#forward(event, payload, true)));
    }
    // L2's errors always count here; L1's only while someone listens: a listener on a MemoryCache
    // makes every hit build its event (its own stats count them either way).
    this.#unsubscribe.push(l2.on('error', ({ error, key }) => this.report(error, key)));
    this.#unsubscribe.push(l2.on('miss', ({ key }) => this.#onL2Miss(key)));
  }

  /** Spill mode: an entry lives in one tier, so L1's removals and expiries are the cache's too. */
  forwardL1Removals(): void {
    for (const event of ['delete', 'expire'] as const) {
      this.#unsubscribe.push(this.#l1.on(event, (payload) => this.#forward(event, payload)));
    }
  }

  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void {
    const off = this.emitter.on(event, listener);
    if (event === 'error' && !this.#l1Errors) {
      this.#l1Errors = true;
      this.#unsubscribe.push(this.#l1.on('error', ({ error, key }) => this.report(error, key)));
    }
    return off;
  }

  /** Stops listening to the tiers. */
  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  hitL2(key: string): void {
    if (tracingReads()) traceOutcome('l2');
    this.stats.hits++;
    this.counters.l2Hits++;
    if (this.emitter.listening) this.emitter.emit('hit', { key, tier: 'l2' });
  }

  miss(key: string): undefined {
    if (tracingReads()) traceOutcome(undefined);
    this.stats.misses++;
    if (this.emitter.listening) this.emitter.emit('miss', { key });
    return undefined;
  }

  set(key: string): void {
    this.stats.sets++;
    if (this.emitter.listening) this.emitter.emit('set', { key });
  }

  cleared(prefix: string | undefined): void {
    if (this.emitter.listening) this.emitter.emit('clear', { prefix });
  }

  report(error: CacheError, key?: string): void {
    this.stats.errors++;
    if (this.emitter.listening) this.emitter.emit('error', key === undefined ? { error } : { error, key });
  }

  /**
   * Counts the miss of a `getOrSet` when L2's own `getOrSet` reports it (just before it joins or
   * starts its computation), so that callers see the miss once the call has joined; the returned
   * function counts it at the end of the call if L2 never did (L2 failed, or found the value).
   */
  missWithL2(key: string): () => void {
    const waiting = this.#l2Misses.get(key);
    if (waiting) waiting.pending++;
    else this.#l2Misses.set(key, { pending: 1, reported: 0 });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const entry = this.#l2Misses.get(key);
      if (entry && entry.reported > 0) entry.reported--;
      else {
        if (entry) entry.pending--;
        this.miss(key);
      }
      if (entry && entry.pending === 0 && entry.reported === 0) this.#l2Misses.delete(key);
    };
  }

  #onL2Miss(key: string): void {
    const entry = this.#l2Misses.get(key);
    if (!entry || entry.pending === 0) return;
    entry.pending--;
    entry.reported++;
    this.miss(key);
  }

  #forward(event: (typeof FORWARDED)[number], payload: { key: string }, fromL2 = false): void {
    if (fromL2 && event === 'delete' && this.internal.has(payload.key)) return;
    if (event === 'delete') this.stats.deletes++;
    else if (event === 'expire') this.stats.expirations++;
    else this.stats.evicted((payload as CacheEventMap['evict']).reason);
    if (this.emitter.listening) this.emitter.emit(event, payload as never);
  }
}
