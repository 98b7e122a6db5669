/**
 * `@cache/core/backend`: what a backend or a composition needs to implement the `Cache` contract,
 * apart from what an application uses (that is `@cache/core`). The base class and its primitives,
 * stored entries and their envelope, the checks of keys, tags and options, events, stats and
 * tracing, lock waiting, the pieces of `createCache` that a backend declares (its options, its
 * module, its URL query), and the `CacheBus` message codec.
 *
 * @packageDocumentation
 */
export { BaseCache, type BaseCacheOptions, type LockRelease } from './base-cache.js';
export { SyncCache } from './sync-cache.js';
export {
  BUS_FORMAT_VERSION,
  type BusMessage,
  type BusOperation,
  type CacheBus,
  type CacheBusEvents,
  decodeBusMessage,
  encodeBusMessage,
} from './bus.js';
export type {
  BackendClass,
  BackendFactory,
  BackendModule,
  BackendOptions,
  OptionsFromUrl,
} from './backends.js';
export { type CacheUrlParts, configFromUrl, parseCacheUrl, queryOptions } from './cache-url.js';
export { importPackage } from './import-package.js';
export {
  DEFAULT_SWEEP_INTERVAL,
  MAX_LIFETIME_MS,
  MAX_TIMER_MS,
  parseInterval,
  parseLifetime,
  parsePositiveInteger,
  parseTimerDuration,
  parseTtl,
} from './duration.js';
export { traceCacheOperation } from './diagnostics.js';
export { isLive, physicalExpiry, type StoredEntry } from './entry.js';
export {
  decodeEnvelope,
  decodeEnvelopeHeader,
  ENVELOPE_LAYOUT,
  type EnvelopeHeader,
  encodeEnvelope,
  type PreparedEnvelope,
  prepareEnvelope,
  serializeValue,
  writeEnvelope,
} from './envelope.js';
export { closedError, toCacheError, undefinedValueError } from './errors.js';
export { CacheEmitter } from './events.js';
export {
  checkWellFormed,
  DEFAULT_MAX_KEY_BYTES,
  globMatcher,
  globPrefix,
  MAX_TAG_BYTES,
  validateKey,
  validateKeys,
  removeMatchingKeys,
  validateGlobPattern,
  validatePrefix,
  validateTags,
} from './keys.js';
export { type LockWaitOptions, waitForLock } from './lock-wait.js';
export { BASE_CACHE_OPTIONS, checkOptionNames } from './option-names.js';
export { validateOptions, validatePrefixOptions, validateSetOptions } from './options.js';
export { assertSerializer } from './serializer-loader.js';
export { sharedState } from './shared-state.js';
export { CacheStats } from './stats.js';
