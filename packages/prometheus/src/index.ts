export {
  type CacheMetrics,
  type CacheMetricsOptions,
  cacheMetrics,
  type MeteredCache,
} from './cache-metrics.js';
