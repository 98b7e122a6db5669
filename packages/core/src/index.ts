export { BaseCache, type BaseCacheOptions, type LockRelease } from './base-cache.js';
export {
  BUS_FORMAT_VERSION,
  type BusMessage,
  type BusOperation,
  type CacheBus,
  type CacheBusEvents,
  decodeBusMessage,
  encodeBusMessage,
} from './bus.js';
export { CacheManager } from './cache-manager.js';
export { type Clock, systemClock } from './clock.js';
export { ManualClock } from './manual-clock.js';
export {
  type BackendClass,
  type BackendFactory,
  type BackendLoader,
  type BackendModule,
  type BackendOptions,
  type BackendSource,
  knownBackends,
  type OptionsFromUrl,
  registerBackend,
} from './backends.js';
export { parseCacheUrl, queryOptions } from './cache-url.js';
export { importPackage } from './import-package.js';
export type { CacheManagerEntry } from './cache-manager.js';
export {
  type CacheBackends,
  type CacheConfig,
  type CacheConfigFor,
  type CommonCacheConfig,
  createCache,
} from './create-cache.js';
export {
  type ByteSize,
  type Duration,
  MAX_LIFETIME_MS,
  MAX_TIMER_MS,
  parseByteSize,
  parseDuration,
  parseLifetime,
  parsePositiveInteger,
  parseTimerDuration,
  parseTtl,
} from './duration.js';
export {
  CACHE_CHANNELS,
  CACHE_OPERATIONS,
  type CacheOperation,
  type CacheOperationMessage,
  type CacheTracingChannel,
  cacheTracing,
  traceCacheOperation,
} from './diagnostics.js';
export { isLive, physicalExpiry, type StoredEntry } from './entry.js';
export {
  decodeEnvelope,
  decodeEnvelopeHeader,
  type EnvelopeHeader,
  encodeEnvelope,
  type PreparedEnvelope,
  prepareEnvelope,
  writeEnvelope,
} from './envelope.js';
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
  toCacheError,
} from './errors.js';
export { CacheEmitter } from './events.js';
export {
  checkWellFormed,
  DEFAULT_MAX_KEY_BYTES,
  globMatcher,
  globPrefix,
  MAX_TAG_BYTES,
  validateKey,
  validateKeys,
  validatePrefix,
  validateTags,
} from './keys.js';
export {
  type AttachLoggerOptions,
  attachLogger,
  type CacheLogDetails,
  type CacheLogger,
} from './logger.js';
export { memoize, type MemoizeOptions } from './memoize.js';
export { encodeArguments, MAX_ARGUMENT_DEPTH, MAX_ARGUMENT_LENGTH } from './memoize-key.js';
export { BASE_CACHE_OPTIONS, checkOptionNames } from './option-names.js';
export { validateOptions, validatePrefixOptions, validateSetOptions } from './options.js';
export { jsonSerializer, parseTyped, type Serializer, stringifyTyped, typedJson } from './serializer.js';
export {
  assertSerializer,
  type BuiltInSerializerName,
  type CompressionName,
  registerSerializer,
  type SerializerLoader,
  type SerializerSource,
} from './serializer-loader.js';
export type { AbortSignalLike, PlatformAbortSignal, PlatformBuffer } from './platform.js';
export { sharedState } from './shared-state.js';
export { CacheStats, type CacheStatsSnapshot } from './stats.js';
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
