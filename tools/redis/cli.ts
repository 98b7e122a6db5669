// Starts test servers by hand and keeps them until Ctrl-C (or SIGTERM), then stops them:
//   tsx tools/redis/cli.ts server | cluster [masters] | sentinel
// Prints one JSON line with the addresses, e.g. for pointing a REPL or a benchmark at them.
import { startRedisCluster, startRedisSentinel, startRedisServer } from './launcher.js';

const [mode = 'server', count] = process.argv.slice(2);

async function main(): Promise<void> {
  let stop: () => Promise<void>;
  if (mode === 'server') {
    const server = await startRedisServer();
    console.log(JSON.stringify({ url: server.url, port: server.port, pid: server.pid }));
    stop = () => server.stop();
  } else if (mode === 'cluster') {
    const cluster = await startRedisCluster({ masters: count === undefined ? 3 : Number(count) });
    console.log(JSON.stringify({ nodes: cluster.nodes, pids: cluster.servers.map((s) => s.pid) }));
    stop = cluster.stop;
  } else if (mode === 'sentinel') {
    const setup = await startRedisSentinel();
    console.log(
      JSON.stringify({
        sentinels: setup.sentinels,
        name: setup.name,
        master: setup.master.port,
        replica: setup.replica.port,
      }),
    );
    stop = setup.stop;
  } else {
    console.error('usage: tsx tools/redis/cli.ts server | cluster [masters] | sentinel');
    process.exitCode = 2;
    return;
  }
  console.error('running; Ctrl-C stops everything');
  const shutdown = (): void => {
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // Keep the event loop alive until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
