export {
  type CacheInstrumentation,
  type InstrumentCachesOptions,
  type InstrumentedCache,
  instrumentCaches,
} from './instrument-caches.js';
