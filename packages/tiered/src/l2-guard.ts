/**
 * What stands between a tiered cache and its L2: the circuit breaker every L2 call goes through,
 * and the recovery queue of the writes L2 could not take, replayed in order (and announced on
 * the bus) once L2 answers again.
 */
import {
  type Cache,
  CacheConfigError,
  CacheConnectionError,
  type CacheError,
  CacheFullError,
  CacheKeyError,
  CacheSerializationError,
  type Clock,
} from '@cache/core';
import type { BusOperation } from '@cache/core/backend';
import { type BreakerOptions, CircuitBreaker } from './breaker.js';
import { type RecoveryOperation, RecoveryQueue, replayOptions } from './recovery-queue.js';

/** Errors that come from the call, not from an L2 outage: they pass unchanged and never open the breaker. */
export function isCallerError(error: unknown): boolean {
  return (
    error instanceof CacheKeyError ||
    error instanceof CacheConfigError ||
    error instanceof CacheSerializationError ||
    error instanceof CacheFullError
  );
}

/** What the guard asks of its tiered cache. */
export interface L2GuardHooks<V> {
  /** Reports an error (`error` event). */
  report(error: CacheError): void;
  /** A write was queued: its L1 copy stands for it meanwhile. */
  queued(operation: Extract<RecoveryOperation<V>, { op: 'set' }>): void;
  /** Announces what a replay wrote. */
  publish(operation: BusOperation): Promise<void>;
  /** Empties L1 (writes were lost to an overflow). */
  flushL1(): Promise<void>;
}

/** Options of the guard. */
export interface L2GuardOptions {
  name: string;
  breaker: BreakerOptions | undefined;
  queueSize: number;
  clock: Clock;
  /** `onL2Error: 'throw'`: nothing is queued; failures reject. */
  throwOnError: boolean;
}

export class L2Guard<V> {
  readonly breaker: CircuitBreaker;
  readonly #queue: RecoveryQueue<V>;
  readonly #l2: Cache<V>;
  readonly #options: L2GuardOptions;
  readonly #hooks: L2GuardHooks<V>;
  #timer: NodeJS.Timeout | undefined;
  #replaying: Promise<void> | undefined;
  #closed = false;
  /** Writes queued and replayed so far. */
  queued = 0;
  replayed = 0;

  constructor(l2: Cache<V>, options: L2GuardOptions, hooks: L2GuardHooks<V>) {
    this.#l2 = l2;
    this.#options = options;
    this.#hooks = hooks;
    this.breaker = new CircuitBreaker(options.breaker, options.clock);
    this.#queue = new RecoveryQueue(options.queueSize);
  }

  /** Writes waiting for L2. */
  get pending(): number {
    return this.#queue.size;
  }

  /**
   * Runs an L2 call through the breaker. An open breaker fails at once with
   * `CacheConnectionError`; an outage failure counts towards opening it. `ownError` tells errors
   * that belong to the caller (a factory's, a caller's own timeout) from L2's.
   */
  async call<R>(call: () => Promise<R>, ownError?: (error: unknown) => boolean): Promise<R> {
    if (!this.breaker.allow())
      throw new CacheConnectionError(`L2 of ${this.#options.name} is failing (circuit open)`);
    try {
      const result = await call();
      this.#answered();
      return result;
    } catch (error) {
      if (isCallerError(error) || ownError?.(error)) this.#answered();
      else if (this.breaker.failure()) {
        this.#hooks.report(
          new CacheConnectionError(`L2 of ${this.#options.name} failed repeatedly: circuit open`, {
            cause: error,
          }),
        );
        this.#schedule();
      }
      throw error;
    }
  }

  /**
   * A write to L2; when L2 fails and the cache degrades, the operations are queued for replay
   * instead. Returns whether L2 took it. While queued writes wait, new ones queue behind them, so
   * that a replay never overwrites a newer value.
   */
  async write(
    call: () => Promise<unknown>,
    queued: RecoveryOperation<V> | RecoveryOperation<V>[],
  ): Promise<boolean> {
    const operations = Array.isArray(queued) ? queued : [queued];
    if (!this.#options.throwOnError && (this.#queue.size > 0 || this.#queue.overflowed || this.#replaying)) {
      this.enqueue(operations);
      return false;
    }
    try {
      await this.call(call);
      return true;
    } catch (error) {
      if (this.#options.throwOnError || isCallerError(error)) throw error;
      this.enqueue(operations);
      return false;
    }
  }

  /** Queues operations for L2 (newest per key wins) and schedules their replay. */
  enqueue(operations: readonly RecoveryOperation<V>[]): void {
    for (const operation of operations) {
      this.#queue.push(operation);
      this.queued++;
      if (operation.op === 'set') this.#hooks.queued(operation);
    }
    this.#schedule();
  }

  /** Stops the replay timer and waits for a replay in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#replaying?.catch(() => undefined);
  }

  #answered(): void {
    if (this.breaker.success() || this.#queue.size > 0 || this.#queue.overflowed) this.#schedule(0);
  }

  #schedule(delay = this.breaker.retryIn): void {
    if (this.#closed || this.#timer || this.#replaying) return;
    if (this.#queue.size === 0 && !this.#queue.overflowed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#replaying = this.#replay().finally(() => {
        this.#replaying = undefined;
        this.#schedule();
      });
    }, delay);
    this.#timer.unref?.();
  }

  /** Writes the queue to L2, in order, and announces it; stops at the first failure. */
  async #replay(): Promise<void> {
    const { operations, overflowed } = this.#queue.take();
    const announce: BusOperation[] = [];
    const keys: string[] = [];
    for (let i = 0; i < operations.length; i++) {
      const operation = operations[i] as RecoveryOperation<V>;
      try {
        await this.call(() => this.#replayOne(operation));
      } catch {
        this.#queue.restore(operations.slice(i));
        if (overflowed) this.#queue.overflowed = true;
        break;
      }
      this.replayed++;
      if (operation.op === 'set' || operation.op === 'delete') keys.push(operation.key);
      else if (operation.op === 'clear')
        announce.push(
          operation.prefix === undefined ? { op: 'clear' } : { op: 'clear', prefix: operation.prefix },
        );
      else if (operation.op === 'match') announce.push({ op: 'match', pattern: operation.pattern });
      else announce.push({ op: 'tags', tags: operation.tags });
    }
    if (keys.length > 0) announce.unshift({ op: 'keys', keys: [...new Set(keys)] });
    if (overflowed && !this.#queue.overflowed) {
      // Writes were lost to L2: every instance (this one included) reads L2 again.
      await this.#hooks.flushL1();
      announce.splice(0, announce.length, { op: 'flush' });
    }
    for (const operation of announce) await this.#hooks.publish(operation);
  }

  #replayOne(operation: RecoveryOperation<V>): Promise<unknown> {
    switch (operation.op) {
      case 'set': {
        const options = replayOptions(operation, this.#options.clock.now());
        return options === undefined
          ? Promise.resolve()
          : this.#l2.set(operation.key, operation.value, options);
      }
      case 'delete':
        return this.#l2.delete(operation.key);
      case 'clear':
        return this.#l2.clear(operation.prefix === undefined ? undefined : { prefix: operation.prefix });
      case 'match':
        return this.#l2.deleteMatching(operation.pattern);
      case 'tags':
        return this.#l2.invalidateTags(operation.tags);
    }
  }
}
