export { createBackend } from './create-backend.js';
export { type ExportedEntry, MemoryCache } from './memory-cache.js';
export type { EvictedEntry, MemoryCacheOptions, PersistOptions } from './options.js';
export { DEFAULT_POLICY, type EvictionPolicy, PolicyName } from './policies/index.js';
export { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './snapshot.js';

declare module '@cache/core' {
  /** `createCache({ backend: 'memory', ... })` takes the options of the memory backend. */
  interface CacheBackends {
    memory: import('./options.js').MemoryCacheOptions;
  }
}
