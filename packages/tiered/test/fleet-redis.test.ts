// A fleet of 3 processes, each `tiered(MemoryCache, RedisCache, RedisBus)` on one prefix and
// channel (test/support/fleet-worker.ts, run by node with tsx), against a redis-server this test
// starts (append-only file, fsync always: an acknowledged write survives a kill). They run random
// reads, writes and deletes while the test pauses the server (SIGSTOP, then SIGCONT), kills the
// bus connections (CLIENT KILL TYPE pubsub), and kills and restarts the server. The merged
// history must be explained within the bound the design states for the fate of each write's
// message (a write is judged by the faults around the time it ran):
//
// - delivered: the bus's delivery delay, taken as at most DELIVERY ms (one host, real time);
// - missed by a bus whose connection was killed: busDownL1Ttl (it reconnects and empties L1);
// - lost or late (server paused or killed): l1MaxTtl.
//
// Each fault bound has SLACK ms added: the clocks of three processes and the time between an L2
// reply and its L1 copy. Writes run with onL2Error 'throw': one that rejects may or may not have
// reached Redis (a paused server runs the commands it holds when it wakes), so it explains reads
// but supersedes nothing; one that the open breaker refused sent nothing and is left out.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { uniquePrefix } from '@cache/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '@cache/redis-launcher';
import { signalRedis } from '@cache/redis-launcher/processes';
import { checkHistory, describeViolation, type Op, type WriteOp } from './support/checker.js';
import type { WorkerConfig, WorkerStats } from './support/fleet-worker.js';

const WORKERS = 3;
const KEYS = 8;
const MAX_OPS = 6_000;
const L1_MAX_TTL = 1_000;
const BUS_DOWN_L1_TTL = 500;
const DELIVERY = 250;
const SLACK = 250;
const COMMAND_TIMEOUT = 300;
const SEED = Number(process.env.FLEET_SEED ?? 20_261_203);

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** tsx (a dev dependency of this package), which runs the workers' TypeScript. */
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx')).href;
const wall = (): number => performance.timeOrigin + performance.now();
/** A phase of the run lasts this long: the load runs meanwhile (this waits for no event). */
const run = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<{ history: Op[]; stats: WorkerStats }>;
}

function startWorker(config: WorkerConfig): Worker {
  const child = spawn(
    process.execPath,
    // The workspace packages resolve to their sources, as in vitest (vitest.shared.ts).
    [
      '--conditions=@cache/source',
      '--import',
      tsx,
      here('./support/fleet-worker.ts'),
      JSON.stringify(config),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const done = new Promise<{ history: Op[]; stats: WorkerStats }>((resolve, reject) => {
    child.on('message', (message: { type: string; history: Op[]; stats: WorkerStats }) => {
      if (message.type === 'ready') onReady();
      else if (message.type === 'done') resolve(message);
    });
    child.once('error', reject);
    // 'close' comes after the last IPC message.
    child.once('close', (code) =>
      reject(new Error(`fleet worker ${config.id} ended with ${code} before its history`)),
    );
  });
  done.catch(() => undefined);
  return { child, ready: Promise.race([ready, done.then(() => undefined)]), done };
}

/** Resolves when `condition` holds (polled every 20 ms), or rejects after `limit` ms. */
async function waitFor(what: string, condition: () => Promise<boolean>, limit = 10_000): Promise<void> {
  const until = Date.now() + limit;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a fleet of 3 processes on Redis with a RedisBus', () => {
  let server: RedisServerHandle;
  const workers: Worker[] = [];
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await server?.stop();
  });

  it('random operations through a pause, killed bus connections and a server restart: every read explained within the bound', {
    timeout: 60_000,
  }, async () => {
    const prefix = uniquePrefix('fleet');
    for (let id = 0; id < WORKERS; id++) {
      workers.push(
        startWorker({
          id,
          url: server.url,
          prefix,
          channel: prefix,
          seed: SEED + id,
          keys: KEYS,
          maxOps: MAX_OPS,
          l1MaxTtl: L1_MAX_TTL,
          busDownL1Ttl: BUS_DOWN_L1_TTL,
          commandTimeout: COMMAND_TIMEOUT,
        }),
      );
    }
    await Promise.all(workers.map((w) => w.ready));
    const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
    const faults: { kind: 'pause' | 'pubsub' | 'restart'; from: number; to: number; bound: number }[] = [];
    const pings = async () => (await admin.ping()) === 'PONG';
    try {
      for (const w of workers) w.child.send({ type: 'start' });
      await run(2_000);

      // The server stops answering for 1.5 s: commands time out, messages wait or are lost.
      let from = wall();
      signalRedis(server.pid, server.port, 'SIGSTOP');
      await run(1_500);
      signalRedis(server.pid, server.port, 'SIGCONT');
      faults.push({ kind: 'pause', from, to: wall(), bound: L1_MAX_TTL + SLACK });
      await waitFor('the server to answer after SIGCONT', pings);
      await run(2_000);

      // Every bus's subscription is cut: each reconnects and empties its L1.
      from = wall();
      const killed = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
      expect(killed).toBe(WORKERS);
      faults.push({ kind: 'pubsub', from, to: from + BUS_DOWN_L1_TTL, bound: BUS_DOWN_L1_TTL + SLACK });
      await run(2_000);

      // The server dies and comes back a second later with what it had acknowledged.
      from = wall();
      await server.kill();
      await run(1_000);
      await server.restart();
      await waitFor('the restarted server to answer', pings);
      faults.push({ kind: 'restart', from, to: wall(), bound: L1_MAX_TTL + SLACK });
      await run(3_000);
    } finally {
      for (const w of workers) if (w.child.connected) w.child.send({ type: 'stop' });
      admin.disconnect();
    }
    const results = await Promise.all(workers.map((w) => w.done));
    const history = results.flatMap((r) => r.history);

    /** A write is judged by the faults around the time it ran (DELIVERY ms either side). */
    const boundOf = (write: WriteOp): number => {
      let bound = DELIVERY;
      for (const fault of faults)
        if (write.start <= fault.to + DELIVERY && write.end >= fault.from - DELIVERY)
          bound = Math.max(bound, fault.bound);
      return bound;
    };
    const result = checkHistory(history, boundOf);
    // Reads that only the fault bounds explain: stale by more than the delivery bound.
    const beyondDelivery = checkHistory(history, DELIVERY).violations.length;
    // How stale reads were through writes judged by the delivery bound alone (outside the faults).
    const normal = checkHistory(history, (write) =>
      boundOf(write) > DELIVERY ? Number.POSITIVE_INFINITY : 0,
    );
    const normalMaxStaleness = Math.max(
      0,
      ...normal.violations.flatMap((v) => v.superseded.map((s) => s.staleFor)),
    );
    const total = (field: keyof WorkerStats) => results.reduce((n, r) => n + r.stats[field], 0);
    const report = {
      seed: SEED,
      operations: history.length,
      reads: result.reads,
      writes: result.writes,
      rejectedWrites: total('failedWrites'),
      refusedByBreaker: total('refusedWrites'),
      failedReads: total('failedReads'),
      faults: faults.map((f) => `${f.kind} ${Math.round(f.to - f.from)} ms`),
      staleReads: result.staleReads,
      maxStalenessMs: Math.round(result.maxStaleness),
      staleBeyondDelivery: beyondDelivery,
      maxStalenessOutsideFaultsMs: Math.round(normalMaxStaleness),
      l1Hits: total('l1Hits'),
      l1Flushes: total('l1Flushes'),
      busPublished: total('busPublished'),
      busReceived: total('busReceived'),
      breakerOpen: total('breakerOpen'),
      violations: result.violations.length,
    };
    console.log(`fleet-redis ${JSON.stringify(report)}`);
    for (const violation of result.violations.slice(0, 3)) console.log(describeViolation(history, violation));
    expect(result.violations).toEqual([]);
    // The run did what it says: every process worked, and the faults made operations fail.
    for (const r of results) expect(r.history.length).toBeGreaterThan(500);
    expect(total('failedWrites') + total('failedReads')).toBeGreaterThan(0);
    expect(total('l1Flushes')).toBeGreaterThanOrEqual(WORKERS);
  });
});
