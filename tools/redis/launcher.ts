// Starts throwaway Redis servers for tests from the `redis-server` binary: a single node
// (server.ts), a Cluster of N masters (cluster.ts), or a master + replica + Sentinel
// (sentinel.ts). Everything binds 127.0.0.1 on free ports, runs daemonized with its pid file, log
// and data in its own temp directory, and is stopped by pid. Processes still running when the
// Node process exits are killed by an exit handler (processes.ts).
// Only node built-ins: tests import this file by relative path, tsx runs it, no build step.
export { startRedisCluster, type RedisClusterHandle, type RedisClusterOptions } from './cluster.js';
export { findFreePorts, isPortFree, type FindFreePortsOptions } from './ports.js';
export { killAllTracked, trackedPids, waitUntil } from './processes.js';
export { parseInfo, redisCommand, RespError, type RedisCommandOptions, type RespReply } from './resp.js';
export {
  sentinelMasterAddress,
  sentinelReplicas,
  startRedisSentinel,
  type RedisSentinelHandle,
  type RedisSentinelOptions,
} from './sentinel.js';
export {
  startRedisServer,
  type RedisAddress,
  type RedisServerHandle,
  type RedisServerOptions,
} from './server.js';
