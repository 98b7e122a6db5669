/**
 * `warm`: loads a source into a cache with bounded concurrency, batched writes, retries, a
 * signal and a deadline, and reports what it did.
 *
 * One run is a producer and tasks. The producer reads the source; a keys source is read in
 * batches of `batchSize` keys, each batch checked against the cache (`fill-missing`: keys the
 * cache holds are not loaded) and loaded (`loadMany` once, or `load` per key); loaded values and
 * plain entries go to a write buffer that is written `batchSize` entries at a time. Loads, checks
 * and writes share `concurrency` slots, and at most `concurrency` key batches are in flight, so
 * a run holds a bounded number of keys and values whatever the size of its source.
 *
 * Stopping (signal, deadline, a failing source): no load, check or write starts afterwards;
 * loads in flight are abandoned (their signal aborts, their results are dropped); writes in
 * flight are awaited, so nothing is written after `warm` settles.
 *
 * This file runs a plan; how a source becomes one is `internal/plan.ts`, and the TTL, tags and
 * `setMany` grouping of the writes are `internal/write-options.ts`.
 *
 * It is over 400 lines because a run's producer, tasks and stop handling share one set of
 * counters and slots; split, each part would need all of them passed around.
 */
import { type Cache, CacheConfigError, type CacheError, type SetOptions } from '@cache/core';
import { toCacheError } from '@cache/core/backend';
import { keyedError } from './internal/keyed.js';
import { Limiter } from './internal/limiter.js';
import { type Item, keysOf, type Plan, planOf } from './internal/plan.js';
import { isPermanent, withRetries } from './internal/retry.js';
import { Stopped, Stopper } from './internal/stopper.js';
import { addOptions, groupBatch } from './internal/write-options.js';
import type { WarmSource } from './sources.js';
import {
  deadlineAt,
  type ResolvedWarmOptions,
  resolveWarmOptions,
  type WarmOptions,
  type WarmProgress,
  type WarmReport,
} from './warm-options.js';

/**
 * Loads `source` into `cache` and reports what it did. Resolves (never rejects) when the run has
 * gone through its source or was stopped by `signal` or `deadline`; rejects only for bad options
 * (`CacheConfigError`, before anything is read) and for a source that fails as a whole (its
 * iterator throws, an export file cannot be read or has no header): failures of single keys are
 * counted in the report. Nothing is written after the returned promise settles.
 *
 * @example
 * const report = await warm(cache, { keys: userIds, loadMany: (ids) => db.users.findMany(ids) },
 *   { ttl: '1h', ttlJitter: 0.1, concurrency: 4, deadline: '30s' });
 * console.log(report.loaded, report.skipped, report.failed);
 */
export async function warm<V>(
  cache: Cache<V>,
  source: WarmSource<V>,
  options?: WarmOptions,
): Promise<WarmReport> {
  if (cache === null || typeof cache !== 'object' || typeof cache.add !== 'function')
    throw new CacheConfigError('warm takes a cache');
  const resolved = resolveWarmOptions(options);
  const plan = planOf(source);
  return new WarmRun(cache as Cache, resolved).run(plan);
}

/** One run of {@link warm}. */
class WarmRun {
  readonly #cache: Cache;
  readonly #o: ResolvedWarmOptions;
  readonly #start: number;
  readonly #stopper: Stopper;
  /** Slots of loads, checks and writes. */
  readonly #slots: Limiter;
  /** Key batches in flight. */
  readonly #batches: Limiter;
  /** Loads and checks in flight (abandoned when the run stops). */
  readonly #tasks = new Set<Promise<void>>();
  /** Writes in flight (awaited before the run settles). */
  readonly #writes = new Set<Promise<void>>();
  #buffer: Item[] = [];
  /** No write starts once this is set: the run has settled, or is settling. */
  #closed = false;
  #loaded = 0;
  #failed = 0;
  readonly #skips = { missing: 0, present: 0, expired: 0 };
  readonly #errors: CacheError[] = [];

  constructor(cache: Cache, o: ResolvedWarmOptions) {
    this.#cache = cache;
    this.#o = o;
    this.#start = o.clock.now();
    const at = o.deadline === undefined ? undefined : deadlineAt(o.deadline, this.#start);
    this.#stopper = new Stopper(
      o.clock,
      o.retry.timers,
      o.signal,
      at === Number.POSITIVE_INFINITY ? undefined : at,
    );
    this.#slots = new Limiter(o.concurrency);
    this.#batches = new Limiter(o.concurrency);
  }

  async run(plan: Plan): Promise<WarmReport> {
    let fatal: unknown;
    let completed = false;
    try {
      const finished = this.#stopper.stopped
        ? false
        : plan.kind === 'entries'
          ? await this.#readEntries(plan.items())
          : await this.#readKeys(plan);
      await this.#drain();
      completed = finished;
    } catch (error) {
      if (!(error instanceof Stopped)) {
        fatal = error;
        this.#stopper.stop('error');
      }
    } finally {
      this.#closed = true;
      while (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
      this.#stopper.dispose();
    }
    if (fatal !== undefined) throw toCacheError(fatal, 'warm: the source failed');
    const reason = this.#stopper.reason;
    const report: WarmReport = {
      ...this.#progress(),
      skips: { ...this.#skips },
      errors: [...this.#errors],
      durationMs: this.#o.clock.now() - this.#start,
      aborted: !completed && (reason === 'signal' || reason === 'deadline'),
    };
    this.#notify(report);
    return report;
  }

  #progress(): WarmProgress {
    const { missing, present, expired } = this.#skips;
    return {
      loaded: this.#loaded,
      skipped: missing + present + expired,
      failed: this.#failed,
      elapsedMs: this.#o.clock.now() - this.#start,
    };
  }

  #notify(progress: WarmProgress): void {
    try {
      this.#o.onProgress?.(progress);
    } catch {
      // A progress callback cannot break the run.
    }
  }

  #fail(count: number, error: unknown, key?: string): void {
    this.#failed += count;
    if (this.#errors.length < this.#o.maxErrors)
      this.#errors.push(
        keyedError(error, key === undefined ? 'warm failed' : `warm of "${key}" failed`, key),
      );
  }

  get #canWrite(): boolean {
    return !this.#closed && !this.#stopper.stopped;
  }

  /** Waits until every load, check and write of the run has settled, flushing the last entries. */
  async #drain(): Promise<void> {
    for (;;) {
      if (this.#tasks.size > 0) await this.#stopper.race(Promise.allSettled([...this.#tasks]));
      else if (this.#buffer.length > 0) await this.#flush(Math.min(this.#buffer.length, this.#o.batchSize));
      else if (this.#writes.size > 0) await this.#stopper.race(Promise.allSettled([...this.#writes]));
      else return;
    }
  }

  /** Reads the source to its end (`true`) or until the run stops (`false`). */
  async #readEntries(items: AsyncIterable<Item | CacheError>): Promise<boolean> {
    const iterator = items[Symbol.asyncIterator]();
    let done = false;
    try {
      while (!this.#stopper.stopped) {
        const next = await this.#stopper.race(iterator.next());
        if (next.done) {
          done = true;
          return true;
        }
        this.#accept(next.value);
        if (this.#buffer.length >= this.#o.batchSize) await this.#flush(this.#o.batchSize);
      }
      return false;
    } finally {
      // A generator waiting on its input returns once that input comes: not awaited.
      if (!done) iterator.return?.().catch(() => {});
    }
  }

  /** Counts an entry that will not be written, or buffers it. */
  #accept(item: Item | CacheError | undefined): void {
    if (item instanceof Error) this.#fail(1, item, item.key);
    else if (item === undefined || item.value === undefined) this.#skips.missing++;
    else this.#buffer.push(item);
  }

  /** Writes `count` buffered entries as one batch, once a slot is free. */
  async #flush(count: number): Promise<void> {
    await this.#stopper.race(this.#slots.acquire());
    const batch = this.#buffer.splice(0, count);
    this.#spawnWrite(batch);
  }

  #spawnWrite(batch: Item[]): void {
    const write = this.#writeBatch(batch).finally(() => {
      this.#slots.release();
      this.#writes.delete(write);
      if (!this.#stopper.stopped) this.#notify(this.#progress());
    });
    this.#writes.add(write);
  }

  /** Reads the keys to their end (`true`) or until the run stops (`false`). */
  async #readKeys(plan: Extract<Plan, { kind: 'keys' }>): Promise<boolean> {
    const keys = await this.#stopper.race(keysOf(plan.keys));
    const iterator = (
      Symbol.asyncIterator in keys
        ? (keys as AsyncIterable<unknown>)[Symbol.asyncIterator]()
        : (keys as Iterable<unknown>)[Symbol.iterator]()
    ) as AsyncIterator<unknown> | Iterator<unknown>;
    let done = false;
    let batch: string[] = [];
    try {
      while (!this.#stopper.stopped) {
        const next = await this.#stopper.race(Promise.resolve(iterator.next()));
        if (next.done) {
          done = true;
          break;
        }
        if (typeof next.value !== 'string') {
          this.#fail(
            1,
            new CacheConfigError(`a key of a warm source is a ${typeof next.value}, not a string`),
          );
          continue;
        }
        batch.push(next.value);
        if (batch.length >= this.#o.batchSize) {
          await this.#dispatch(batch, plan);
          batch = [];
        }
      }
      if (done && batch.length > 0) await this.#dispatch(batch, plan);
      return done;
    } finally {
      if (!done) Promise.resolve(iterator.return?.()).catch(() => {});
    }
  }

  /** Starts the check and the loads of a batch of keys, once fewer than `concurrency` batches are in flight. */
  async #dispatch(keys: string[], plan: Extract<Plan, { kind: 'keys' }>): Promise<void> {
    await this.#stopper.race(this.#batches.acquire());
    const task = this.#loadBatch(keys, plan)
      .catch((error: unknown) => {
        if (!(error instanceof Stopped)) this.#fail(0, error);
      })
      .finally(() => {
        this.#batches.release();
        this.#tasks.delete(task);
      });
    this.#tasks.add(task);
  }

  /** Runs `operation` in a slot, with retries; throws {@link Stopped} once the run stops. */
  async #inSlot<T>(operation: (attempt: number) => Promise<T>): Promise<T> {
    return withRetries(
      async (attempt) => {
        await this.#stopper.race(this.#slots.acquire());
        try {
          return await this.#stopper.race(operation(attempt));
        } finally {
          this.#slots.release();
        }
      },
      this.#o.retry,
      this.#stopper,
    );
  }

  async #loadBatch(keys: string[], plan: Extract<Plan, { kind: 'keys' }>): Promise<void> {
    let todo = keys;
    if (this.#o.mode === 'fill-missing') {
      // Keys the cache holds are not loaded. A failed check only costs loads: `add` still guards.
      const held = await this.#inSlot(() => this.#cache.getMany(keys)).catch((error: unknown) => {
        if (error instanceof Stopped) throw error;
        return undefined;
      });
      if (held !== undefined) {
        todo = keys.filter((_, i) => held[i] === undefined);
        this.#skips.present += keys.length - todo.length;
      }
    }
    if (todo.length === 0) return;
    const signal = this.#stopper.signal;
    if (plan.loadMany) {
      const loadMany = plan.loadMany;
      let items: (Item | undefined)[];
      try {
        items = await this.#inSlot((attempt) => loadMany(todo, attempt, signal));
      } catch (error) {
        if (error instanceof Stopped) throw error;
        this.#fail(todo.length, toCacheError(error, `warm: loadMany of ${todo.length} keys failed`));
        return;
      }
      if (this.#stopper.stopped) throw new Stopped();
      for (const item of items) this.#accept(item);
      this.#flushFull();
      return;
    }
    const load = plan.load as NonNullable<typeof plan.load>;
    await Promise.all(
      todo.map(async (key) => {
        try {
          const item = await this.#inSlot((attempt) => load(key, attempt, signal));
          if (this.#stopper.stopped) return;
          this.#accept(item);
          this.#flushFull();
        } catch (error) {
          if (!(error instanceof Stopped))
            this.#fail(1, toCacheError(error, `warm: load of "${key}" failed`, key), key);
        }
      }),
    );
  }

  /** Starts writes of full batches from the buffer (from within a task: the write waits for its own slot). */
  #flushFull(): void {
    while (this.#buffer.length >= this.#o.batchSize && this.#canWrite) {
      const batch = this.#buffer.splice(0, this.#o.batchSize);
      const write = this.#stopper
        .race(this.#slots.acquire())
        .then(
          () => {
            this.#spawnWrite(batch);
          },
          () => {},
        )
        .finally(() => this.#writes.delete(write));
      this.#writes.add(write);
    }
  }

  async #writeBatch(batch: Item[]): Promise<void> {
    if (this.#o.mode === 'fill-missing') {
      await Promise.all(batch.map((item) => this.#addOne(item)));
      return;
    }
    // One setMany per distinct (ttl, tags), with few jitter draws (see internal/write-options.ts).
    const { groups, expired } = groupBatch(batch, this.#o);
    this.#skips.expired += expired;
    await Promise.all(groups.map((g) => this.#setGroup(g.items, g.options)));
  }

  /** Calls a write once the run may still write; {@link Stopped} otherwise. */
  #write<T>(call: () => Promise<T>): Promise<T> {
    if (!this.#canWrite) return Promise.reject(new Stopped());
    return call();
  }

  async #setGroup(items: Item[], options: SetOptions): Promise<void> {
    const cache = this.#cache;
    try {
      if (items.length === 1) {
        const item = items[0] as Item;
        await withRetries(
          () => this.#write(() => cache.set(item.key, item.value, options)),
          this.#o.retry,
          this.#stopper,
        );
      } else {
        await withRetries(
          () =>
            this.#write(() =>
              cache.setMany(
                items.map((item) => [item.key, item.value] as const),
                options,
              ),
            ),
          this.#o.retry,
          this.#stopper,
        );
      }
      this.#loaded += items.length;
    } catch (error) {
      if (error instanceof Stopped) return;
      if (items.length > 1 && isPermanent(error)) {
        // One bad key or value fails the whole setMany: write one by one so only it fails.
        await Promise.all(items.map((item) => this.#setGroup([item], options)));
        return;
      }
      this.#fail(items.length, error, items.length === 1 ? items[0]?.key : undefined);
    }
  }

  async #addOne(item: Item): Promise<void> {
    const options = addOptions(item, this.#o);
    if (options === 'expired') {
      this.#skips.expired++;
      return;
    }
    try {
      const added = await withRetries(
        () => this.#write(() => this.#cache.add(item.key, item.value, options)),
        this.#o.retry,
        this.#stopper,
      );
      if (added) this.#loaded++;
      else this.#skips.present++;
    } catch (error) {
      if (!(error instanceof Stopped)) this.#fail(1, error, item.key);
    }
  }
}
