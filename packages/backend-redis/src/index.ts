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
