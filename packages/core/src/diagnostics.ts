/**
 * The `node:diagnostics_channel` tracing channels on which caches publish their operations: one
 * tracing channel per operation, named `cache:<operation>` (so its events are
 * `tracing:cache:get:start`, `:end`, `:asyncStart`, `:asyncEnd` and `:error`). Every public method
 * of the `Cache` contract on a `BaseCache` (and `MemoryCache`'s fast paths) publishes one traced
 * call with a {@link CacheOperationMessage}; a `getOrSet` that runs its factory also publishes
 * the factory's run on `cache:load`.
 *
 * Each call site checks `hasSubscribers` first: with no subscriber an operation costs one getter
 * and builds nothing. Channels are global to the process by name, so every copy of this package
 * (ES module and CommonJS builds alike) publishes on the same ones.
 */
import { tracingChannel } from 'node:diagnostics_channel';

/** The operations published, each on its own tracing channel (`cache:<operation>`). */
export const CACHE_OPERATIONS = [
  'get',
  'getOrThrow',
  'getEntry',
  'has',
  'set',
  'add',
  'delete',
  'getMany',
  'setMany',
  'deleteMany',
  'clear',
  'deleteMatching',
  'invalidateTags',
  'getOrSet',
  'load',
] as const;

/** A published operation; `load` is the run of a `getOrSet` factory. */
export type CacheOperation = (typeof CACHE_OPERATIONS)[number];

/**
 * The tracing channel name of each operation: `CACHE_CHANNELS.get` is `'cache:get'`, for
 * `diagnostics_channel.tracingChannel(CACHE_CHANNELS.get)`.
 */
export const CACHE_CHANNELS: { readonly [O in CacheOperation]: `cache:${O}` } = Object.freeze(
  Object.fromEntries(CACHE_OPERATIONS.map((op) => [op, `cache:${op}`])) as {
    [O in CacheOperation]: `cache:${O}`;
  },
);

/**
 * The context object of one traced operation: the same object goes to `start`, `end`,
 * `asyncStart`, `asyncEnd` and `error`. Fields that describe the outcome (`hit`, `hits`,
 * `misses`, `tier`, `result`, `error`) are set before `asyncStart`. Keys are here for subscribers
 * that ask for them; a metrics subscriber should never make one a label.
 */
export interface CacheOperationMessage {
  /** The cache's `name`. */
  readonly cache: string;
  readonly operation: CacheOperation;
  /** The key of a single-key operation (and of `load`). */
  readonly key?: string;
  /** The keys of `getMany` and `deleteMany`. */
  readonly keys?: readonly string[];
  /** The glob of `deleteMatching`. */
  readonly pattern?: string;
  /** The tags of `invalidateTags`. */
  readonly tags?: readonly string[];
  /**
   * Reads (`get`, `getOrThrow`, `getEntry`, `has`, `getOrSet`): whether a value was served from
   * the cache (for `getOrSet`, a fresh value or a stale one served while it refreshes). Absent
   * when the operation failed before it knew.
   */
  hit?: boolean;
  /** `getMany`: how many keys were found and missed. */
  hits?: number;
  misses?: number;
  /** The tier that served a hit, in a composition of tiers. */
  tier?: 'l1' | 'l2';
  /** What the operation resolved to (set by the tracing channel). */
  result?: unknown;
  /** What the operation failed with (set by the tracing channel). */
  error?: unknown;
}

/**
 * @internal What this package uses of Node's `TracingChannel`, declared here so that the published
 * declarations do not need Node's types.
 */
export interface OperationChannel {
  readonly hasSubscribers: boolean;
  tracePromise<R>(run: () => Promise<R>, context: CacheOperationMessage): Promise<R>;
}

/** @internal The tracing channel of each operation. */
export const cacheChannels: {
  readonly [O in CacheOperation]: OperationChannel;
} = Object.freeze(
  Object.fromEntries(
    CACHE_OPERATIONS.map((op) => [op, tracingChannel<unknown, CacheOperationMessage>(CACHE_CHANNELS[op])]),
  ) as unknown as { [O in CacheOperation]: OperationChannel },
);

/**
 * @internal Runs `run` as one traced call on `channel` with `message`; `settle` fills the outcome
 * fields from the result before `asyncStart`. Call only when `channel.hasSubscribers`.
 */
export function traceOperation<R>(
  channel: OperationChannel,
  message: CacheOperationMessage,
  run: () => Promise<R> | R,
  settle?: (message: CacheOperationMessage, result: R) => void,
): Promise<R> {
  return channel.tracePromise(async () => {
    const result = await run();
    settle?.(message, result);
    return result;
  }, message);
}

/** @internal `settle` of the single-key reads: a hit when a value came back. */
function settleRead(message: CacheOperationMessage, result: unknown): void {
  message.hit = result !== undefined;
}

/** @internal `settle` of `getOrThrow`: resolving means a hit (a miss rejects). */
function settleHit(message: CacheOperationMessage): void {
  message.hit = true;
}

/** @internal `settle` of `has`. */
function settleHas(message: CacheOperationMessage, result: boolean): void {
  message.hit = result;
}

/** @internal `settle` of `getMany`. */
function settleMany(message: CacheOperationMessage, result: readonly unknown[]): void {
  let hits = 0;
  for (const value of result) if (value !== undefined) hits++;
  message.hits = hits;
  message.misses = result.length - hits;
}

const SETTLE: Partial<Record<CacheOperation, (message: CacheOperationMessage, result: never) => void>> = {
  get: settleRead,
  getEntry: settleRead,
  getOrThrow: settleHit,
  has: settleHas,
  getMany: settleMany,
};

/** What a call site needs of an operation's tracing channel: whether anyone subscribes. */
export interface CacheTracingChannel {
  /** True while anyone subscribes to any of the channel's events. */
  readonly hasSubscribers: boolean;
}

/**
 * The tracing channel of each operation, for the `hasSubscribers` check of a call site (a cache
 * implementation that is not a `BaseCache`, or a backend's fast path):
 * `if (cacheTracing.get.hasSubscribers) return traceCacheOperation({ cache: this.name, operation: 'get', key }, () => read(key));`
 */
export const cacheTracing: { readonly [O in CacheOperation]: CacheTracingChannel } = cacheChannels;

/**
 * Publishes one call of an operation on its tracing channel (`start`, `end`, then `asyncStart`
 * and `asyncEnd`, or `error`), with `message` as the context. Reads get their outcome
 * (`hit`, or `hits` and `misses`) from what `run` returns; other outcomes (`tier`, and `hit` for
 * `getOrSet`) are the caller's to set on `message` before `run` settles. Call it only when
 * `cacheTracing[operation].hasSubscribers`: otherwise it builds a context for nobody.
 */
export function traceCacheOperation<R>(
  message: CacheOperationMessage,
  run: () => Promise<R> | R,
): Promise<R> {
  const settle = SETTLE[message.operation] as
    | ((message: CacheOperationMessage, result: R) => void)
    | undefined;
  return traceOperation(cacheChannels[message.operation], message, run, settle);
}
