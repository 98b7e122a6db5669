export { createBackend, optionsFromUrl } from './create-backend.js';
export { RedisBus, TRACKING_SENDER } from './redis-bus.js';
export {
  DEFAULT_BUS_CHANNEL,
  DEFAULT_PUBLISH_TIMEOUT,
  type RedisBusMode,
  type RedisBusOptions,
} from './redis-bus-options.js';
export { RedisCache } from './redis-cache.js';
export {
  DEFAULT_COMMAND_TIMEOUT,
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_PREFIX,
  type RedisCacheOptions,
  type RedisClusterOptions,
  type RedisSentinelOptions,
} from './redis-cache-options.js';
export type { RedisClientLike, RedisPipelineLike } from './redis-client.js';

declare module '@cache/core' {
  /** `createCache({ backend: 'redis', ... })` takes the options of the redis backend. */
  interface CacheBackends {
    redis: import('./redis-cache-options.js').RedisCacheOptions;
  }
}
