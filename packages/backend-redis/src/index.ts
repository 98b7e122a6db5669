export { createBackend } from './create-backend.js';
export { RedisCache } from './redis-cache.js';
export {
  DEFAULT_COMMAND_TIMEOUT,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_PREFIX,
  type RedisCacheOptions,
  type RedisClusterOptions,
  type RedisSentinelOptions,
} from './redis-cache-options.js';

declare module '@cache/core' {
  /** `createCache({ backend: 'redis', ... })` takes the options of the redis backend. */
  interface CacheBackends {
    redis: import('./redis-cache-options.js').RedisCacheOptions;
  }
}
