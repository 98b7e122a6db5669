export type { BreakerOptions, BreakerState } from './breaker.js';
export { BusEvents } from './bus-events.js';
export { MemoryBus, type MemoryBusOptions } from './memory-bus.js';
export type { TieredOptions } from './options.js';
export { TieredCache, tiered } from './tiered-cache.js';
export type { TieredCounters } from './tiered-events.js';
export { type BusSource, createBackend, type TierSource, type TieredConfig } from './create-backend.js';

declare module '@cache/core' {
  /** `createCache({ backend: 'tiered', l1, l2, bus })`. */
  interface CacheBackends {
    tiered: import('./create-backend.js').TieredConfig;
  }
}
