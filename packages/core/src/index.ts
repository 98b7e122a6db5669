/**
 * `@cache/core`: the `Cache` contract and what an application uses with it: `createCache` and
 * `CacheManager`, the errors, `memoize`, clocks, serializers, diagnostics channels and logging.
 * What a backend or a composition needs to implement the contract is in `@cache/core/backend`.
 *
 * @packageDocumentation
 */
export type { BusPublisher, CacheBus } from './bus.js';
export { CacheManager } from './cache-manager.js';
export { type Clock, systemClock } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { type BackendLoader, type BackendSource, knownBackends, registerBackend } from './backends.js';
export type { CacheManagerEntry } from './cache-manager.js';
export {
  type CacheBackends,
  type CacheConfig,
  type CacheConfigFor,
  type CommonCacheConfig,
  createCache,
} from './create-cache.js';
export { type ByteSize, type Duration, parseByteSize, parseDuration } from './duration.js';
export {
  CACHE_CHANNELS,
  CACHE_OPERATIONS,
  type CacheOperation,
  type CacheOperationMessage,
  type CacheTracingChannel,
  cacheTracing,
} from './diagnostics.js';
export {
  CacheConfigError,
  CacheConnectionError,
  CacheError,
  CacheErrorCode,
  type CacheErrorOptions,
  CacheExpiredError,
  CacheFullError,
  CacheInvalidationError,
  CacheKeyError,
  CacheSerializationError,
  CacheTimeoutError,
  isCacheError,
} from './errors.js';
export { type AttachLoggerOptions, attachLogger, type CacheLogDetails, type CacheLogger } from './logger.js';
export { memoize, type MemoizeOptions } from './memoize.js';
export { encodeArguments, MAX_ARGUMENT_DEPTH, MAX_ARGUMENT_LENGTH } from './memoize-key.js';
export { jsonSerializer, parseTyped, type Serializer, stringifyTyped, typedJson } from './serializer.js';
export {
  type BuiltInSerializerName,
  type CompressionName,
  registerSerializer,
  type SerializerLoader,
  type SerializerSource,
} from './serializer-loader.js';
export type { AbortSignalLike, PlatformAbortSignal, PlatformBuffer } from './platform.js';
export type { CacheStats, CacheStatsSnapshot, EvictionsByCause } from './stats.js';
export { evictionCounts } from './stats.js';
export type {
  BackendErrorPolicy,
  Cache,
  CacheEntryInfo,
  CacheEventMap,
  CacheEventName,
  CacheListener,
  EvictReason,
  FactoryContext,
  GetOrSetOptions,
  LockOptions,
  PrefixOptions,
  SetOptions,
} from './types.js';
