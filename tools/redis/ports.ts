// Free loopback ports for test servers. Ports are drawn at random below the kernel's ephemeral
// range (32768+) so that outgoing connections do not take them, and a cluster node's bus port
// (port + 10000) is checked too. A port handed out once is not handed out again by this process.
import { createServer } from 'node:net';

const handedOut = new Set<number>();

/** Options for {@link findFreePorts}. */
export interface FindFreePortsOptions {
  /** Also require `port + 10000` to be free (a Redis Cluster node's bus port). @default false */
  bus?: boolean;
}

/** Whether a TCP listener can bind `127.0.0.1:port` right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `n` distinct ports that are free on 127.0.0.1 (with their bus ports when `bus` is set). */
export async function findFreePorts(n: number, options: FindFreePortsOptions = {}): Promise<number[]> {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`findFreePorts: n must be a positive integer, got ${n}`);
  // Bus ports of [10000, 22000) land in [20000, 32000), still below the ephemeral range.
  const [low, high] = options.bus ? [10_000, 22_000] : [10_000, 32_000];
  const ports: number[] = [];
  for (let attempt = 0; ports.length < n; attempt++) {
    if (attempt > 500) throw new Error(`findFreePorts: found only ${ports.length} of ${n} free ports`);
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port) || (options.bus && handedOut.has(port + 10_000))) continue;
    if (!(await isPortFree(port))) continue;
    if (options.bus && !(await isPortFree(port + 10_000))) continue;
    handedOut.add(port);
    if (options.bus) handedOut.add(port + 10_000);
    ports.push(port);
  }
  return ports;
}
