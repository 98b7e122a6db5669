// A Sentinel setup for tests: one master, one replica (`--replicaof`) and one sentinel
// (`redis-server <conf> --sentinel`, quorum 1, short down-after and failover timeouts), all on
// 127.0.0.1. Ready once the replica is in sync (master_link_status:up) and the sentinel lists it
// as a connected replica, so that killing the master leads to a failover within seconds.
import { waitUntil } from './processes.js';
import { pairsToMap, parseInfo, redisCommand } from './resp.js';
import { HOST, startRedisServer, type RedisAddress, type RedisServerHandle } from './server.js';

/** Options for {@link startRedisSentinel}. */
export interface RedisSentinelOptions {
  /** The monitored master's name. @default 'mymaster' */
  name?: string;
  /** `sentinel down-after-milliseconds`. @default 1000 */
  downAfterMs?: number;
  /** `sentinel failover-timeout`. @default 5000 */
  failoverTimeoutMs?: number;
  /** How long to wait for the replica to sync and the sentinel to see it. @default 30000 */
  readyTimeoutMs?: number;
}

/** A running setup started by {@link startRedisSentinel}. */
export interface RedisSentinelHandle {
  /** The sentinels' addresses, as ioredis takes them. */
  readonly sentinels: RedisAddress[];
  /** The monitored master's name. */
  readonly name: string;
  /** The initial master. */
  readonly master: RedisServerHandle;
  /** The initial replica. */
  readonly replica: RedisServerHandle;
  /** The sentinel process. */
  readonly sentinel: RedisServerHandle;
  /** The master the sentinel currently names (`SENTINEL GET-MASTER-ADDR-BY-NAME`). */
  masterAddress(): Promise<RedisAddress | undefined>;
  /** Stops the sentinel, the replica and the master, and removes their directories. */
  stop(): Promise<void>;
}

/** Starts a master, a replica and a sentinel monitoring them; resolves when failover would work. */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelHandle> {
  const name = options.name ?? 'mymaster';
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const started: RedisServerHandle[] = [];
  const stop = async (): Promise<void> => {
    // Sentinel first, so it does not react to the data nodes going away.
    for (const server of [...started].reverse()) await server.stop();
  };
  try {
    // No 5 s diskless-sync delay: the replica syncs at once (and again after a failover).
    const syncArgs = ['--repl-diskless-sync-delay', '0'];
    const master = await startRedisServer({ args: syncArgs });
    started.push(master);
    const replica = await startRedisServer({ args: [...syncArgs, '--replicaof', HOST, String(master.port)] });
    started.push(replica);
    await waitUntil(readyTimeoutMs, 'the replica to sync', async () => {
      const info = parseInfo(String(await redisCommand(replica.port, ['INFO', 'replication'])));
      return info.get('master_link_status') === 'up';
    });
    const sentinel = await startRedisServer({
      sentinelConfig: (port, dir) =>
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${dir}`,
          'sentinel resolve-hostnames no',
          `sentinel monitor ${name} ${HOST} ${master.port} 1`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
    });
    started.push(sentinel);
    await waitUntil(readyTimeoutMs, 'the sentinel to see the replica', async () => {
      const replicas = await sentinelReplicas(sentinel.port, name);
      return replicas.some(
        (entry) => entry.get('port') === String(replica.port) && entry.get('flags') === 'slave',
      );
    });
    return {
      sentinels: [{ host: HOST, port: sentinel.port }],
      name,
      master,
      replica,
      sentinel,
      masterAddress: () => sentinelMasterAddress(sentinel.port, name),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The sentinel's view of the master `name`, via `SENTINEL GET-MASTER-ADDR-BY-NAME`. */
export async function sentinelMasterAddress(
  sentinelPort: number,
  name: string,
): Promise<RedisAddress | undefined> {
  const reply = await redisCommand(sentinelPort, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name]);
  if (!Array.isArray(reply) || reply.length !== 2) return undefined;
  return { host: String(reply[0]), port: Number(reply[1]) };
}

/** The sentinel's `SENTINEL REPLICAS <name>` entries as maps. */
export async function sentinelReplicas(sentinelPort: number, name: string): Promise<Map<string, string>[]> {
  const reply = await redisCommand(sentinelPort, ['SENTINEL', 'REPLICAS', name]);
  return Array.isArray(reply) ? reply.map(pairsToMap) : [];
}
