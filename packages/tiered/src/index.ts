export type { BreakerOptions, BreakerState } from './breaker.js';
export { BusEvents } from './bus-events.js';
export { MemoryBus, type MemoryBusOptions } from './memory-bus.js';
export type { TieredOptions } from './options.js';
export { TieredCache, type TieredCounters, tiered } from './tiered-cache.js';
