/**
 * One instance of the Redis fleet test, in its own process (run by node with tsx):
 * `tiered(MemoryCache, RedisCache, RedisBus)` on the prefix and channel it is given, running random
 * reads, writes and deletes of a few keys until the parent says `stop` (or `maxOps` is reached),
 * then sending back its history. Times are wall-clock ms (performance.timeOrigin + now(): one time
 * line for every process of the host).
 *
 * Parent -> worker (IPC): `{ type: 'start' }`, `{ type: 'stop' }`.
 * Worker -> parent: `{ type: 'ready' }`, then `{ type: 'done', history, stats }`.
 */
import { MemoryCache } from '@cache/backend-memory';
import { RedisBus, RedisCache } from '@cache/backend-redis';
import { tiered } from '@cache/tiered';
import type { Op } from './checker.js';
import { seeded } from './random.js';

export interface WorkerConfig {
  id: number;
  url: string;
  prefix: string;
  channel: string;
  seed: number;
  keys: number;
  maxOps: number;
  l1MaxTtl: number;
  busDownL1Ttl: number;
  commandTimeout: number;
}

export interface WorkerStats {
  ops: number;
  failedReads: number;
  failedWrites: number;
  /** Of the failed writes, those the open breaker refused (left out of the history). */
  refusedWrites: number;
  l1Hits: number;
  l1Flushes: number;
  busReceived: number;
  busPublished: number;
  breakerOpen: number;
}

const config = JSON.parse(process.argv[2] as string) as WorkerConfig;
const send = (message: unknown): void => void process.send?.(message);
const wall = (): number => performance.timeOrigin + performance.now();

const bus = new RedisBus({ url: config.url, channel: config.channel, publishTimeout: config.commandTimeout });
const cache = tiered<string>({
  l1: new MemoryCache<string>({ maxEntries: 1_000 }),
  l2: new RedisCache<string>({
    url: config.url,
    prefix: config.prefix,
    commandTimeout: config.commandTimeout,
    connectTimeout: config.commandTimeout,
  }),
  bus,
  l1MaxTtl: config.l1MaxTtl,
  busDownL1Ttl: config.busDownL1Ttl,
  // Only committed writes count: a write L2 did not take rejects (its outcome is then unknown).
  onL2Error: 'throw',
  breaker: { threshold: 5, window: '1s', openFor: 200 },
});
// Errors are counted through the operations that fail; the events are not needed.
cache.on('error', () => undefined);

const random = seeded(config.seed);
const history: Op[] = [];
const stats: WorkerStats = {
  ops: 0,
  failedReads: 0,
  failedWrites: 0,
  refusedWrites: 0,
  l1Hits: 0,
  l1Flushes: 0,
  busReceived: 0,
  busPublished: 0,
  breakerOpen: 0,
};
let stopping = false;
let sequence = 0;

async function one(): Promise<void> {
  const key = `k${random.int(config.keys)}`;
  const roll = random.next();
  const start = wall();
  if (roll < 0.6) {
    try {
      const value = await cache.get(key);
      history.push({ kind: 'read', instance: config.id, key, value, start, end: wall() });
    } catch {
      stats.failedReads++;
    }
    return;
  }
  const value = roll < 0.9 ? `${config.id}.${++sequence}` : undefined;
  try {
    if (value === undefined) await cache.delete(key);
    else await cache.set(key, value);
    history.push({ kind: 'write', instance: config.id, key, value, start, end: wall() });
  } catch (error) {
    stats.failedWrites++;
    // An open breaker refuses before anything is sent: that write certainly did nothing.
    if (/circuit open/.test((error as Error).message)) stats.refusedWrites++;
    else history.push({ kind: 'write', instance: config.id, key, value, start, end: wall(), ok: false });
  }
}

/** One of two loops: an operation, then a pause of 1-3 ms (which also lets messages in). */
async function loop(): Promise<void> {
  while (!stopping && stats.ops < config.maxOps) {
    stats.ops++;
    await one();
    await new Promise((resolve) => setTimeout(resolve, 1 + random.int(3)));
  }
}

let loops: Promise<unknown> | undefined;
process.on('message', (message: { type: string }) => {
  if (message.type === 'start') loops = Promise.all([loop(), loop()]);
  else if (message.type === 'stop') void finish();
});

async function finish(): Promise<void> {
  stopping = true;
  await loops;
  const snapshot = cache.stats.snapshot();
  stats.l1Hits = snapshot.l1Hits as number;
  stats.l1Flushes = snapshot.l1Flushes as number;
  stats.busReceived = snapshot.busReceived as number;
  stats.busPublished = snapshot.busPublished as number;
  stats.breakerOpen = snapshot.breakerOpen as number;
  await cache.close().catch(() => undefined);
  // Disconnecting once the history is handed over lets the process end.
  process.send?.({ type: 'done', history, stats }, () => process.disconnect?.());
}

// Ready once the bus is subscribed: from then on no message to this instance is lost unnoticed.
const ready = setInterval(() => {
  if (!bus.connected) return;
  clearInterval(ready);
  send({ type: 'ready' });
}, 10);
