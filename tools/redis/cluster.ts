// A Redis Cluster of N masters (no replicas) for tests: cluster-enabled nodes, each with its own
// nodes.conf in its temp directory, joined by `redis-cli --cluster create`, ready once every node
// reports cluster_state:ok, all 16384 slots ok and every master known.
import { findFreePorts } from './ports.js';
import { run, waitUntil } from './processes.js';
import { parseInfo, redisCommand } from './resp.js';
import {
  HOST,
  PortTakenError,
  startRedisServer,
  type RedisAddress,
  type RedisServerHandle,
} from './server.js';

/** Options for {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Number of masters, no replicas (redis-cli needs at least 3). @default 3 */
  masters?: number;
  /** Extra `redis-server` arguments for every node. @default [] */
  args?: readonly string[];
  /**
   * `cluster-node-timeout` in ms. Long, so that a node starved of CPU on a busy test machine is not
   * marked failed (there are no replicas to fail over to anyway). @default 10000
   */
  nodeTimeoutMs?: number;
  /** How long to wait for `cluster_state:ok` on every node. @default 30000 */
  readyTimeoutMs?: number;
}

/** A running cluster started by {@link startRedisCluster}. */
export interface RedisClusterHandle {
  /** The masters' addresses, as ioredis `Cluster` takes them. */
  readonly nodes: RedisAddress[];
  /** The node processes. */
  readonly servers: RedisServerHandle[];
  /** Stops every node and removes their directories. */
  stop(): Promise<void>;
}

/** Starts a Redis Cluster of `masters` masters and waits until every node reports all slots ok. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 3) {
    throw new RangeError('startRedisCluster: masters must be >= 3');
  }
  // Ports found free can be taken by a parallel test file before the nodes bind: try new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(masters, options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

async function startOnce(masters: number, options: RedisClusterOptions): Promise<RedisClusterHandle> {
  const servers: RedisServerHandle[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(servers.map((server) => server.stop()));
  };
  try {
    const ports = await findFreePorts(masters, { bus: true });
    const nodeArgs = (port: number): string[] => [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--cluster-node-timeout',
      String(options.nodeTimeoutMs ?? 10_000),
      ...(options.args ?? []),
    ];
    const results = await Promise.allSettled(
      ports.map(async (port) => {
        const server = await startRedisServer({ port, args: nodeArgs(port) });
        servers.push(server);
        return server;
      }),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    // Keep the masters in port order, as given to redis-cli.
    servers.sort((a, b) => ports.indexOf(a.port) - ports.indexOf(b.port));
    const addresses = ports.map((port) => `${HOST}:${port}`);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      30_000,
    );
    await waitUntil(options.readyTimeoutMs ?? 30_000, 'cluster_state:ok on every node', async () => {
      for (const port of ports) {
        const info = parseInfo(String(await redisCommand(port, ['CLUSTER', 'INFO'])));
        if (info.get('cluster_state') !== 'ok') return false;
        if (info.get('cluster_slots_ok') !== '16384') return false;
        if (info.get('cluster_known_nodes') !== String(masters)) return false;
        if (info.get('cluster_size') !== String(masters)) return false;
      }
      return true;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: servers.map(({ host, port }) => ({ host, port })), servers, stop };
}
