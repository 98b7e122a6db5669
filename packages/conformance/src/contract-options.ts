import type { Cache, Clock, Duration } from '@cache/core';

/** What a test may ask of {@link ContractOptions.create}. */
export interface CreateCacheOptions {
  /** The clock to read time from; given when `capabilities.clock` is true. */
  clock?: Clock | undefined;
  /** The cache's default TTL, when a test needs one. */
  defaultTtl?: Duration | undefined;
  /** The cache's key limit in UTF-8 bytes, when a test needs one. */
  maxKeyBytes?: number | undefined;
}

/** What a cache under test can do beyond the contract's minimum. */
export interface ContractCapabilities {
  /** The cache accepts an injected clock (memory, file). Without it, expiry tests use real short TTLs. @default false */
  clock?: boolean | undefined;
  /** Which optional fields of `getEntry` the cache fills. @default none */
  entryInfo?:
    | { size?: boolean | undefined; hits?: boolean | undefined; lastAccessAt?: boolean | undefined }
    | undefined;
  /**
   * The cache keeps the one value model: with its default serializer (core's typed JSON) `Date`,
   * `Map`, `Set`, `BigInt`, `Buffer`, `Uint8Array`, `RegExp`, `NaN`, `±Infinity`, `-0` and
   * `undefined` inside objects and arrays round-trip with their exact types, and functions,
   * symbols, cycles and class instances are refused with `CacheSerializationError` (a cache that
   * keeps values by reference may instead give back the very same value). `false` for a cache
   * given a serializer that carries plain JSON only: those tests are skipped. @default true
   */
  typedValues?: boolean | undefined;
  /** Sequences per property test; the env variable `CACHE_PROPERTY_RUNS` overrides it. @default 1000 */
  propertyRuns?: number | undefined;
}

/** How to run the contract suite against one cache implementation. */
export interface ContractOptions {
  /** The name of the top-level `describe` block. */
  name: string;
  /**
   * Makes a fresh, empty cache. `clock` is given when `capabilities.clock` is true. Extra options
   * (`defaultTtl`, `maxKeyBytes`) are passed when a test needs them. Each test closes its caches.
   */
  create(options: CreateCacheOptions): Cache | Promise<Cache>;
  /** What the cache can do; absent capabilities are not assumed. */
  capabilities?: ContractCapabilities | undefined;
}
