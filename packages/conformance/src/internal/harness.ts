import { type Cache, type CacheEventMap, type CacheEventName, type Duration, ManualClock } from '@cache/core';
import { afterEach } from 'vitest';
import type { ContractOptions } from '../contract-options.js';

/** One cache made for one test, with the means to let time pass. */
export interface Fixture {
  readonly cache: Cache<unknown>;
  /** The injected clock, when the cache takes one. */
  readonly clock: ManualClock | undefined;
  /** Lets `ms` pass: moves the injected clock, or sleeps. */
  pass(ms: number): Promise<void>;
  /** The current time as the cache sees it. */
  now(): number;
}

/** Extra options a test may give to `create`. */
interface FixtureOptions {
  defaultTtl?: Duration;
  maxKeyBytes?: number;
}

/** What every concern file receives. */
export interface Harness {
  readonly options: ContractOptions;
  readonly hasClock: boolean;
  /** Sequences per property test. */
  readonly propertyRuns: number;
  /** Makes a fresh cache (closed after the test). */
  make(extra?: FixtureOptions): Promise<Fixture>;
  /** Calls `create` with exactly these options (for tests of bad options). */
  createRaw(extra: FixtureOptions): Promise<Cache<unknown>>;
}

/** Real-time sleep. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `check` holds, polling every few ms for at most `limitMs` of real time; returns whether it held. */
export async function eventually(check: () => Promise<boolean>, limitMs = 3000): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
}

/** Collects every key of an async iterable, sorted by UTF-16 code units. */
export async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out.sort();
}

/** A sorted copy. */
export function sorted(keys: readonly string[]): string[] {
  return [...keys].sort();
}

/** Records events of a cache as `[name, payload]` pairs; `stop()` unsubscribes. */
export function recordEvents(
  cache: Cache<unknown>,
  names: readonly CacheEventName[] = ['hit', 'miss', 'set', 'delete', 'evict', 'expire', 'clear', 'error'],
): { events: [CacheEventName, unknown][]; stop(): void } {
  const events: [CacheEventName, unknown][] = [];
  const offs = names.map((name) =>
    cache.on(name, (payload: CacheEventMap[typeof name]) => {
      // A composition's `hit` may name its tier (`tier: 'l1'`): the contract is the key.
      if (name === 'hit' && 'tier' in payload) {
        const { tier: _tier, ...rest } = payload as { tier: unknown };
        events.push([name, rest]);
      } else events.push([name, payload]);
    }),
  );
  return {
    events,
    stop: () => {
      for (const off of offs) off();
    },
  };
}

/** Builds the harness and registers the `afterEach` that closes every cache made by a test. */
export function createHarness(options: ContractOptions): Harness {
  const hasClock = options.capabilities?.clock === true;
  const envRuns = Number.parseInt(process.env.CACHE_PROPERTY_RUNS ?? '', 10);
  const propertyRuns = envRuns > 0 ? envRuns : (options.capabilities?.propertyRuns ?? 1000);
  const open: Cache<unknown>[] = [];

  afterEach(async () => {
    const caches = open.splice(0);
    await Promise.all(caches.map((cache) => cache.close()));
  });

  const createRaw = async (extra: FixtureOptions): Promise<Cache<unknown>> => {
    const cache = await options.create(extra);
    open.push(cache);
    return cache;
  };

  return {
    options,
    hasClock,
    propertyRuns,
    createRaw,
    async make(extra: FixtureOptions = {}): Promise<Fixture> {
      const clock = hasClock ? new ManualClock() : undefined;
      const cache = await options.create(clock ? { ...extra, clock } : { ...extra });
      open.push(cache);
      return {
        cache,
        clock,
        async pass(ms: number) {
          if (clock) clock.advance(ms);
          else await sleep(ms);
        },
        now: () => (clock ? clock.now() : Date.now()),
      };
    },
  };
}
