import {
  type Cache,
  type CacheBus,
  CacheConfigError,
  type Clock,
  type Duration,
  systemClock,
} from '@cache/core';
import { checkOptionNames, parsePositiveInteger, parseTimerDuration, parseTtl } from '@cache/core/backend';
import type { BreakerOptions } from './breaker.js';

/** Options of {@link tiered}. */
export interface TieredOptions<V = unknown> {
  /** The in-process tier, read first (typically a `MemoryCache`). */
  l1: Cache<V>;
  /** The shared tier, the source of truth (typically a `RedisCache`). */
  l2: Cache<V>;
  /** Tells the other instances which L1 copies to drop (`RedisBus`, `MemoryBus`). @default none: one instance */
  bus?: CacheBus | undefined;
  /** A name for logs, events and metrics. @default 'tiered' */
  name?: string | undefined;
  /** TTL of writes that give none, for both tiers. @default the tiers' own defaults */
  defaultTtl?: Duration | undefined;
  /** An L1 copy never outlives this. @default the L2 entry's own expiry */
  l1MaxTtl?: Duration | undefined;
  /** While the bus is down, L1 copies live at most this long. @default '5s' */
  busDownL1Ttl?: Duration | undefined;
  /**
   * What happens when L2 fails: `'degrade'` serves from L1, runs factories, and queues writes for
   * L2 (replayed when it is back); `'throw'` rejects with the L2's error. @default 'degrade'
   */
  onL2Error?: 'degrade' | 'throw' | undefined;
  /** The circuit breaker in front of L2. @default { threshold: 5, window: '10s', openFor: '5s' } */
  breaker?: BreakerOptions | undefined;
  /** How many writes the recovery queue holds while L2 fails; past it, a flush is announced. @default 10000 */
  recoveryQueueSize?: number | undefined;
  /** Longest key in UTF-8 bytes. @default 1024 */
  maxKeyBytes?: number | undefined;
  /** Source of time for TTL arithmetic and the breaker. @default the system clock */
  clock?: Clock | undefined;
  /** Whether `close()` also closes `l1`, `l2` and `bus`. @default true */
  closeTiers?: boolean | undefined;
  /**
   * `'tiered'`: L2 is the shared source of truth. `'spill'`: one host, L2 is L1's overflow (a
   * memory L1 over a file L2): writes go to L1, entries that L1 evicts for room go down to L2 with
   * their remaining TTL and tags, and reads promote them back. Spill mode needs an L1 that
   * reports its evictions (`MemoryCache`) and takes no bus. @default 'tiered'
   */
  mode?: 'tiered' | 'spill' | undefined;
  /**
   * What a bus message about another instance's write does to this instance's L1 copy: `'drop'`
   * it, or drop it and keep it aside as `'stale'`, served only while L2 cannot be read (at most
   * `recoveryQueueSize` such copies). @default 'drop'
   */
  onRemoteSet?: 'drop' | 'stale' | undefined;
  /**
   * When a write resolves. `'await'`: once the bus took its message, so that the other instances'
   * staleness is bounded from the moment the write resolves. `'background'` (FusionCache's
   * default): once L2 and L1 hold it; the message is sent at once, in order, but not awaited, which
   * saves a round trip per write; the other instances' staleness then also includes the time the
   * message takes to reach the bus (at most the bus's publish timeout). A failed publish is
   * reported either way, and `close()` waits for the messages in flight. @default 'await'
   */
  busPublish?: 'await' | 'background' | undefined;
}

/** The checked options. */
export interface ResolvedTieredOptions<V> {
  l1: Cache<V>;
  l2: Cache<V>;
  bus: CacheBus | undefined;
  name: string;
  defaultTtl: number | undefined;
  l1MaxTtl: number | undefined;
  busDownL1Ttl: number;
  throwOnL2Error: boolean;
  breaker: BreakerOptions | undefined;
  recoveryQueueSize: number;
  maxKeyBytes: number;
  clock: Clock;
  closeTiers: boolean;
  spill: boolean;
  keepStale: boolean;
  backgroundPublish: boolean;
}

const KNOWN = new Set([
  'l1',
  'l2',
  'bus',
  'name',
  'defaultTtl',
  'l1MaxTtl',
  'busDownL1Ttl',
  'onL2Error',
  'breaker',
  'recoveryQueueSize',
  'maxKeyBytes',
  'clock',
  'closeTiers',
  'mode',
  'onRemoteSet',
  'busPublish',
]);

function isCache(value: unknown): value is Cache {
  const c = value as Partial<Cache> | null;
  return (
    c !== null &&
    typeof c === 'object' &&
    typeof c.get === 'function' &&
    typeof c.getEntry === 'function' &&
    typeof c.set === 'function' &&
    typeof c.on === 'function'
  );
}

function isBus(value: unknown): value is CacheBus {
  const b = value as Partial<CacheBus> | null;
  return (
    b !== null &&
    typeof b === 'object' &&
    typeof b.publish === 'function' &&
    typeof b.subscribe === 'function' &&
    typeof b.on === 'function'
  );
}

/** @throws CacheConfigError for a missing tier, an unknown option or a bad value. */
export function resolveTieredOptions<V>(options: TieredOptions<V>): ResolvedTieredOptions<V> {
  if (options === null || typeof options !== 'object')
    throw new CacheConfigError('tiered takes an options object');
  checkOptionNames(options, KNOWN, 'tiered', false);
  const { l1, l2, bus } = options;
  if (!isCache(l1) || !isCache(l2)) throw new CacheConfigError('tiered needs two caches: l1 and l2');
  if (l1 === l2) throw new CacheConfigError('l1 and l2 must be two different caches');
  if (bus !== undefined && !isBus(bus))
    throw new CacheConfigError('bus must have publish(), subscribe() and on()');
  if (options.onL2Error !== undefined && options.onL2Error !== 'degrade' && options.onL2Error !== 'throw')
    throw new CacheConfigError(
      `onL2Error must be 'degrade' or 'throw', got ${JSON.stringify(options.onL2Error)}`,
    );
  if (options.name !== undefined && typeof options.name !== 'string')
    throw new CacheConfigError('name must be a string');
  if (options.closeTiers !== undefined && typeof options.closeTiers !== 'boolean')
    throw new CacheConfigError('closeTiers must be a boolean');
  if (options.mode !== undefined && options.mode !== 'tiered' && options.mode !== 'spill')
    throw new CacheConfigError(`mode must be 'tiered' or 'spill', got ${JSON.stringify(options.mode)}`);
  const spill = options.mode === 'spill';
  if (spill && !('onEvict' in l1))
    throw new CacheConfigError('spill mode needs an L1 that reports its evictions (a MemoryCache)');
  if (spill && bus !== undefined) throw new CacheConfigError('spill mode takes no bus: it is for one host');
  if (options.onRemoteSet !== undefined && options.onRemoteSet !== 'drop' && options.onRemoteSet !== 'stale')
    throw new CacheConfigError(
      `onRemoteSet must be 'drop' or 'stale', got ${JSON.stringify(options.onRemoteSet)}`,
    );
  if (
    options.busPublish !== undefined &&
    options.busPublish !== 'await' &&
    options.busPublish !== 'background'
  )
    throw new CacheConfigError(
      `busPublish must be 'await' or 'background', got ${JSON.stringify(options.busPublish)}`,
    );
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function') throw new CacheConfigError('clock must have a now() method');
  return {
    l1,
    l2,
    bus,
    name: options.name ?? 'tiered',
    defaultTtl: parseTtl(options.defaultTtl, 'defaultTtl'),
    l1MaxTtl: parseTtl(options.l1MaxTtl, 'l1MaxTtl'),
    busDownL1Ttl:
      options.busDownL1Ttl === undefined ? 5_000 : parseTimerDuration(options.busDownL1Ttl, 'busDownL1Ttl'),
    throwOnL2Error: options.onL2Error === 'throw',
    breaker: options.breaker,
    recoveryQueueSize: parsePositiveInteger(options.recoveryQueueSize, 'recoveryQueueSize') ?? 10_000,
    maxKeyBytes: parsePositiveInteger(options.maxKeyBytes, 'maxKeyBytes') ?? 1024,
    clock,
    closeTiers: options.closeTiers ?? true,
    spill,
    keepStale: options.onRemoteSet === 'stale',
    backgroundPublish: options.busPublish === 'background',
  };
}
