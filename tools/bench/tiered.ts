/**
 * The tiered benchmark: `pnpm --filter @cache/tools bench:tiered` (builds `@cache/core`,
 * `@cache/backend-memory`, `@cache/backend-redis` and `@cache/tiered`, then runs
 * `node --import tsx bench/tiered.ts` in `tools/`). Redis at REDIS_URL (default redis://127.0.0.1:6379); every key lives under a
 * unique run prefix, removed at the end with SCAN + UNLINK. Writes docs/benchmarks/tiered.md.
 *
 * 1. L1 hit: `tiered(MemoryCache, RedisCache, RedisBus).get` against the same `MemoryCache`'s
 *    async `get`, each in a child process of its own (`--l1-child=<id>`), the two children at
 *    once (one per core), in paired rounds; the target is judged on the median per-round ratio.
 * 2. Peers: ours, bentocache (memory L1 + redis L2 + redis bus) and cacheable (memory primary +
 *    @keyv/redis secondary) in this process: get with an L1 hit, get with an L2 hit, set, and a
 *    90/10 Zipf read/write mix on 4 instances of one prefix. Each case runs every subject for a
 *    time slice per round, in rotating order; figures are medians over the rounds.
 * 3. Invalidation latency: from a set on instance A until B's L1 copy is gone, over the pub/sub
 *    bus and in tracking mode (and, in tracking mode, a write from outside the toolkit), with
 *    bentocache's bus beside it.
 *
 * Env: BENCH_L1_ROUNDS (paired rounds of part 1, default 9), BENCH_ROUNDS (rounds of part 2,
 * default 15), BENCH_MS (slice per subject, case and round, default 150), BENCH_N (sets per
 * latency series, default 500), BENCH_PARTS (comma-separated: l1, peers, latency; with it the
 * report is printed, not written).
 *
 * This file is over 400 lines because it holds the three parts and the one report they make;
 * the subjects and the generated loops are in tiered-subjects.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryCache } from '@cache/backend-memory';
import { Redis } from 'ioredis';
import { cpuTimeMs } from './lib/cpu-time.ts';
import { mulberry32, zipfRanks } from './lib/zipf.ts';
import {
  createBento,
  createOurs,
  type Instance,
  type Loop,
  makeLoop,
  REDIS_URL,
  type Subject,
  subjects as makeSubjects,
  type Value,
  makeValue,
} from './tiered-subjects.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const toolsDir = path.resolve(here, '..');
const docPath = path.resolve(toolsDir, '../docs/benchmarks/tiered.md');
const args = process.argv.slice(2);
const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const L1_ROUNDS = Number(process.env.BENCH_L1_ROUNDS ?? 9);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SLICE_MS = Number(process.env.BENCH_MS ?? 150);
const LATENCY_N = Number(process.env.BENCH_N ?? 500);
const PARTS = process.env.BENCH_PARTS?.split(',').filter(Boolean) ?? ['l1', 'peers', 'latency'];

/** Part 1: hot keys read in the child, L1 bound of both subjects. */
const L1_KEYS = 10_000;
const L1_ENTRIES = 20_000;
/** CPU ms of warm-up and of timed batches in a part-1 child, and the CPU ms a batch aims at. */
const L1_WARMUP_MS = 200;
const L1_TIME_MS = 800;
const L1_BATCH_MS = 10;

/** Part 2 sizes. */
const HOT_KEYS = 1_000;
const L2_KEYS = 10_000;
const SMALL_L1 = 100;
const MIX_KEYS = 10_000;
const MIX_L1 = 1_000;
const MIX_OPS = 200_000;
const MIX_WRITES = 0.1;
const MIX_INSTANCES = 4;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

const fmt = (n: number | undefined) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`;

// ---- part 1, child side: one subject's L1-hit loop, timed in CPU batches ----------------------

const l1Child = arg('l1-child');
if (l1Child !== undefined) {
  process.stdout.write(`${JSON.stringify(await runL1Child(l1Child, arg('prefix') ?? 'bench-tiered:'))}\n`);
  process.exit(0);
}

async function runL1Child(
  id: string,
  prefix: string,
): Promise<{ opsPerSec: number; batch: number; hits: number }> {
  const keys = Array.from({ length: L1_KEYS }, (_, i) => `key:${(i * 7919) % L1_KEYS}`);
  let target: { get(key: string): Promise<unknown> };
  let close: () => Promise<void>;
  if (id === 'memory') {
    const memory = new MemoryCache<Value>({ maxEntries: L1_ENTRIES });
    for (let i = 0; i < L1_KEYS; i++) memory.setSync(`key:${i}`, makeValue(i));
    target = memory;
    close = () => memory.close();
  } else if (id === 'tiered') {
    const made = await createOurs(L1_ENTRIES, prefix);
    for (let i = 0; i < L1_KEYS; i += 500) {
      await made.cache.setMany(
        Array.from({ length: 500 }, (_, j) => [`key:${i + j}`, makeValue(i + j)] as const),
      );
    }
    if (made.l1.size !== L1_KEYS) throw new Error(`L1 holds ${made.l1.size} entries, not ${L1_KEYS}`);
    target = made.cache;
    close = made.close;
  } else throw new Error(`unknown subject ${id}`);
  // One loop per process: each child is one subject, so the loop's type feedback is its own.
  const loop = async (n: number, start: number) => {
    let hits = 0;
    let j = start;
    for (let i = 0; i < n; i++) {
      if ((await target.get(keys[j] as string)) !== undefined) hits++;
      if (++j === L1_KEYS) j = 0;
    }
    return hits;
  };
  let cursor = 0;
  let hits = 0;
  let reads = 0;
  const run = async (n: number) => {
    hits += await loop(n, cursor);
    reads += n;
    cursor = (cursor + n) % L1_KEYS;
  };
  // Calibrate a batch of about L1_BATCH_MS of CPU, warm up, then time batches.
  let n = 64;
  for (;;) {
    const t0 = cpuTimeMs();
    await run(n);
    if (cpuTimeMs() - t0 >= L1_BATCH_MS / 4 || n >= 1 << 22) break;
    n *= 4;
  }
  const warmEnd = cpuTimeMs() + L1_WARMUP_MS;
  let best = Number.POSITIVE_INFINITY;
  while (cpuTimeMs() < warmEnd) {
    const t0 = cpuTimeMs();
    await run(n);
    best = Math.min(best, (cpuTimeMs() - t0) / n);
  }
  n = Math.max(16, Math.round(L1_BATCH_MS / Math.max(best, 1e-6)));
  const times: number[] = [];
  const end = cpuTimeMs() + L1_TIME_MS;
  while (cpuTimeMs() < end || times.length < 8) {
    const t0 = cpuTimeMs();
    await run(n);
    times.push(cpuTimeMs() - t0);
  }
  await close();
  if (hits !== reads) throw new Error(`${id}: ${reads - hits} of ${reads} reads missed`);
  return { opsPerSec: (n * 1000) / median(times), batch: n, hits };
}

// ---- the parent ---------------------------------------------------------------------------------

const run = `bench-tiered:${process.pid}:${randomBytes(3).toString('hex')}:`;
const wallStart = performance.now();

interface L1Round {
  tiered: number;
  memory: number;
}

function l1ChildRun(id: string): Promise<{ opsPerSec: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), `--l1-child=${id}`, `--prefix=${run}l1-${id}:`],
      // A child that hangs is killed: the run stays bounded.
      { cwd: toolsDir, env: process.env, timeout: 60_000 },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (status) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (status !== 0 || !line.startsWith('{'))
        reject(new Error(`${id} child failed (${status}): ${stderr.slice(0, 2000)}`));
      else resolve(JSON.parse(line) as { opsPerSec: number });
    });
  });
}

async function partL1(): Promise<L1Round[]> {
  const rounds: L1Round[] = [];
  for (let round = 0; round < L1_ROUNDS; round++) {
    // Both at once, one per core; the one started first alternates.
    const order = round % 2 === 0 ? ['tiered', 'memory'] : ['memory', 'tiered'];
    const results = await Promise.all(order.map(l1ChildRun));
    const of = (id: string) => (results[order.indexOf(id)] as { opsPerSec: number }).opsPerSec;
    rounds.push({ tiered: of('tiered'), memory: of('memory') });
    log(
      `L1 round ${round + 1}/${L1_ROUNDS}: tiered ${fmt(of('tiered'))} ops/s, MemoryCache ${fmt(of('memory'))} ops/s, ` +
        `ratio ${ratio(of('tiered'), of('memory'))}`,
    );
  }
  return rounds;
}

// ---- part 2: the peers --------------------------------------------------------------------------

type CaseId = 'l1-hit' | 'l2-hit' | 'set' | 'mix';
const CASES: { id: CaseId; label: string }[] = [
  { id: 'l1-hit', label: 'get, L1 hit' },
  { id: 'l2-hit', label: 'get, L2 hit' },
  { id: 'set', label: 'set' },
  { id: 'mix', label: `90/10 Zipf mix, ${MIX_INSTANCES} instances` },
];

/** One subject's prepared case: instances, the loop and where each instance's cursor is. */
interface Prepared {
  instances: Instance[];
  loop: Loop;
  keys: readonly string[];
  ops: Uint8Array | null;
  cursors: number[];
  /** Whether the case reads (its reads are counted to check that they find their values). */
  reading: boolean;
}

interface Measure {
  ops: number;
  cpu: number;
  hits: number;
  reads: number;
}

const values = Array.from({ length: 1_000 }, (_, i) => makeValue(i));
const hotKeys = Array.from({ length: HOT_KEYS }, (_, i) => `hot:${i}`);
const l2Keys = Array.from({ length: L2_KEYS }, (_, i) => `cold:${i}`);
const random = mulberry32(20241213);
const mixKeys = Array.from(zipfRanks(MIX_KEYS, 1, MIX_OPS, random), (rank) => `z:${rank}`);
const mixOps = new Uint8Array(MIX_OPS);
for (let i = 0; i < MIX_OPS; i++) mixOps[i] = random() < MIX_WRITES ? 1 : 0;

/** Writes `keys` through `instance` with 50 writes in flight. */
async function fill(subject: Subject, instance: Instance, keys: readonly string[]): Promise<void> {
  const set = makeLoop(subject, 'set');
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, keys.length - i) }, (_, j) =>
        set(instance.target, keys, null, 1, i + j, values),
      ),
    );
  }
}

async function prepare(subject: Subject, id: CaseId): Promise<Prepared> {
  if (id === 'l1-hit') {
    const instance = await subject.create(10_000, 'l1');
    await fill(subject, instance, hotKeys);
    return {
      instances: [instance],
      loop: makeLoop(subject, 'get'),
      keys: hotKeys,
      ops: null,
      cursors: [0],
      reading: true,
    };
  }
  if (id === 'l2-hit') {
    // An L1 of 100 entries under a cycle of 10,000 keys: every read misses L1 and hits L2.
    const instance = await subject.create(SMALL_L1, 'l2');
    await fill(subject, instance, l2Keys);
    return {
      instances: [instance],
      loop: makeLoop(subject, 'get'),
      keys: l2Keys,
      ops: null,
      cursors: [0],
      reading: true,
    };
  }
  if (id === 'set') {
    const instance = await subject.create(10_000, 'set');
    return {
      instances: [instance],
      loop: makeLoop(subject, 'set'),
      keys: hotKeys,
      ops: null,
      cursors: [0],
      reading: false,
    };
  }
  const instances: Instance[] = [];
  for (let i = 0; i < MIX_INSTANCES; i++) instances.push(await subject.create(MIX_L1, 'mix'));
  await fill(
    subject,
    instances[0] as Instance,
    Array.from({ length: MIX_KEYS }, (_, i) => `z:${i}`),
  );
  return {
    instances,
    loop: makeLoop(subject, 'mix'),
    keys: mixKeys,
    ops: mixOps,
    cursors: instances.map((_, i) => Math.floor((i * MIX_OPS) / MIX_INSTANCES)),
    reading: true,
  };
}

/** Runs every instance of a prepared case for SLICE_MS of wall time, all at once. */
async function slice(p: Prepared): Promise<Measure> {
  const chunk = 20;
  for (const [i, instance] of p.instances.entries())
    await p.loop(instance.target, p.keys, p.ops, chunk, p.cursors[i] as number, values);
  let ops = 0;
  let hits = 0;
  let reads = 0;
  const cpu0 = cpuTimeMs();
  const start = performance.now();
  const end = start + SLICE_MS;
  await Promise.all(
    p.instances.map(async (instance, i) => {
      while (performance.now() < end) {
        // Awaited before the sum: \`hits += await ...\` would read \`hits\` before the other instances add theirs.
        const from = p.cursors[i] as number;
        const found = await p.loop(instance.target, p.keys, p.ops, chunk, from, values);
        hits += found;
        p.cursors[i] = (from + chunk) % p.keys.length;
        ops += chunk;
        if (p.ops) for (let j = 0; j < chunk; j++) reads += p.ops[(from + j) % p.keys.length] === 1 ? 0 : 1;
        else if (p.reading) reads += chunk;
      }
    }),
  );
  const wall = performance.now() - start;
  return { ops: (ops / wall) * 1000, cpu: ((cpuTimeMs() - cpu0) * 1000) / ops, hits, reads };
}

interface PeerResults {
  subjects: Subject[];
  ops: Map<string, number[]>;
  cpu: Map<string, number[]>;
  /** Share of timed reads that found a value: every key read was written first, so 100% but where a copy went missing. */
  hitShare: Map<string, number[]>;
  /** Ours: the counters of the mix's four instances added up (warm-up and every round). */
  mixCounters: Map<string, { l1Hits: number; l2Hits: number; l1Flushes: number }>;
}

async function partPeers(): Promise<PeerResults> {
  const subjects = makeSubjects(run);
  const results: PeerResults = {
    subjects,
    ops: new Map(),
    cpu: new Map(),
    hitShare: new Map(),
    mixCounters: new Map(),
  };
  const push = (map: Map<string, number[]>, key: string, v: number) => {
    const list = map.get(key) ?? [];
    list.push(v);
    map.set(key, list);
  };
  for (const c of CASES) {
    const prepared = new Map<string, Prepared>();
    for (const s of subjects) prepared.set(s.id, await prepare(s, c.id));
    for (let round = 0; round < ROUNDS; round++) {
      const order = subjects.map((_, i) => subjects[(i + round) % subjects.length] as Subject);
      for (const s of order) {
        const m = await slice(prepared.get(s.id) as Prepared);
        push(results.ops, `${s.id}/${c.id}`, m.ops);
        push(results.cpu, `${s.id}/${c.id}`, m.cpu);
        if (m.reads > 0) push(results.hitShare, `${s.id}/${c.id}`, m.hits / m.reads);
      }
    }
    for (const s of subjects) {
      const instances = (prepared.get(s.id) as Prepared).instances;
      if (c.id === 'mix' && instances[0]?.counters) {
        const sum = { l1Hits: 0, l2Hits: 0, l1Flushes: 0 };
        for (const instance of instances) {
          const counters = instance.counters?.() ?? sum;
          sum.l1Hits += counters.l1Hits;
          sum.l2Hits += counters.l2Hits;
          sum.l1Flushes += counters.l1Flushes;
        }
        results.mixCounters.set(s.id, sum);
      }
      for (const instance of instances) await instance.close();
      const share = results.hitShare.get(`${s.id}/${c.id}`);
      log(
        `${c.label.padEnd(32)} ${s.label.padEnd(14)} ${fmt(median(results.ops.get(`${s.id}/${c.id}`) ?? [])).padStart(9)} ops/s ` +
          `${median(results.cpu.get(`${s.id}/${c.id}`) ?? [])
            .toFixed(1)
            .padStart(6)} µs CPU/op` +
          (share ? `  reads found a value: ${(median(share) * 100).toFixed(1)}%` : ''),
      );
    }
  }
  return results;
}

// ---- part 3: invalidation latency ---------------------------------------------------------------

interface Latency {
  label: string;
  /** ms from the start of the write until B's copy is gone, in order. */
  sorted: number[];
  /** ms until A's set resolved (median), when A is a cache. */
  setMs: number | undefined;
  timeouts: number;
}

/** Waits for one key's removal from B's L1, at most 1 s. */
class Removals {
  readonly #waiting = new Map<string, (at: number) => void>();
  seen(key: string): void {
    const done = this.#waiting.get(key);
    if (done) {
      this.#waiting.delete(key);
      done(performance.now());
    }
  }
  wait(key: string): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(key);
        resolve(undefined);
      }, 1_000);
      this.#waiting.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

/** One path of part 3: how B gets a copy of a key, how A (or an outside client) writes it, and what was seen. */
interface LatencyPath {
  label: string;
  prime(key: string): Promise<void>;
  write(key: string): Promise<unknown>;
  /** B's removals of its copies. */
  removals: Removals;
  /** Prefix of this path's keys. */
  tag: string;
  /** Whether `write` is a cache's set (its duration is reported). */
  isSet: boolean;
  latencies: number[];
  sets: number[];
  timeouts: number;
}

/** Part 3 stops early past this (each lost message can cost 1 s). */
const LATENCY_DEADLINE_MS = 60_000;

async function partLatency(): Promise<Latency[]> {
  const paths: LatencyPath[] = [];
  const closers: (() => Promise<void>)[] = [];
  const path = (p: Omit<LatencyPath, 'latencies' | 'sets' | 'timeouts'>) =>
    paths.push({ ...p, latencies: [], sets: [], timeouts: 0 });
  for (const mode of ['pubsub', 'tracking'] as const) {
    const prefix = `${run}lat-${mode}:`;
    const a = await createOurs(1_000, prefix, mode);
    const b = await createOurs(1_000, prefix, mode);
    closers.push(a.close, b.close);
    const removals = new Removals();
    b.l1.on('delete', ({ key }) => removals.seen(key));
    const prime = async (key: string) => {
      await b.cache.set(key, makeValue(0));
      if (!b.l1.hasSync(key)) throw new Error(`B has no L1 copy of ${key}`);
    };
    path({
      label: `@cache/tiered, RedisBus ${mode === 'pubsub' ? "pub/sub (mode: 'pubsub')" : "mode: 'tracking'"}, A.set`,
      prime,
      write: (key) => a.cache.set(key, makeValue(1)),
      removals,
      tag: `${mode}-set`,
      isSet: true,
    });
    if (mode === 'tracking') {
      // A write from outside the toolkit: only Redis's own invalidation report can tell B.
      const outside = new Redis(REDIS_URL);
      closers.push(async () => void outside.disconnect());
      path({
        label: "@cache/tiered, RedisBus mode: 'tracking', a raw SET from another client",
        prime,
        write: (key) => outside.set(`${prefix}e:${key}`, 'written outside'),
        removals,
        tag: 'outside',
        isSet: false,
      });
    }
  }
  // bentocache: B's copy is logically expired when its bus delivers A's message.
  const store = `bench-${run.replace(/\W+/g, '-')}lat`;
  const a = createBento(1_000, `${run}lat-bento`, store);
  const b = createBento(1_000, `${run}lat-bento`, store);
  closers.push(a.close, b.close);
  const removals = new Removals();
  b.bento.on('bus:message:received', ({ message }: { message: { keys: string[] } }) => {
    for (const key of message.keys) removals.seen(key);
  });
  await a.bento.get({ key: 'warm' });
  await b.bento.get({ key: 'warm' });
  path({
    label: 'bentocache, redis bus, A.set (until B receives the message and expires its copy)',
    prime: async (key) => void (await b.bento.set({ key, value: makeValue(0) })),
    write: (key) => a.bento.set({ key, value: makeValue(1) }),
    removals,
    tag: 'bento',
    isSet: true,
  });
  // Interleaved: one write of each path in turn, so that a busy spell of the machine hits every path.
  const deadline = performance.now() + LATENCY_DEADLINE_MS;
  for (let i = 0; i < LATENCY_N && performance.now() < deadline; i++) {
    for (const p of i % 2 === 0 ? paths : [...paths].reverse()) {
      const key = `${p.tag}:${i}`;
      await p.prime(key);
      const removed = p.removals.wait(key);
      const t0 = performance.now();
      await p.write(key);
      p.sets.push(performance.now() - t0);
      const at = await removed;
      if (at === undefined) p.timeouts++;
      else p.latencies.push(at - t0);
    }
  }
  for (const close of closers) await close();
  return paths.map((p) => ({
    label: p.label,
    sorted: p.latencies.sort((x, y) => x - y),
    setMs: p.isSet ? median(p.sets) : undefined,
    timeouts: p.timeouts,
  }));
}

// ---- cleanup and report -------------------------------------------------------------------------

async function cleanup(): Promise<number> {
  const client = new Redis(REDIS_URL);
  const match = `${run.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) removed += await client.unlink(...keys);
  } while (cursor !== '0');
  await client.quit();
  return removed;
}

/** The commit, and the measured packages whose sources differ from it (the build takes the working tree). */
function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: toolsDir,
      encoding: 'utf8',
    }).trim();
    const sources = ['core', 'backend-memory', 'backend-redis', 'tiered'].map((p) => `packages/${p}/src`);
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...sources], {
      cwd: path.resolve(toolsDir, '..'),
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3).split('/').slice(0, 2).join('/'));
    const packages = [...new Set(dirty)];
    return packages.length === 0 ? commit : `${commit} (with uncommitted changes in ${packages.join(', ')})`;
  } catch {
    return 'unknown';
  }
}

let l1: L1Round[] | undefined;
let peers: PeerResults | undefined;
let latency: Latency[] | undefined;
let removed: number;
try {
  l1 = PARTS.includes('l1') ? await partL1() : undefined;
  peers = PARTS.includes('peers') ? await partPeers() : undefined;
  latency = PARTS.includes('latency') ? await partLatency() : undefined;
} finally {
  // The run's keys go even when a part failed.
  removed = await cleanup();
  log(`cleanup: ${removed} keys under ${run} removed`);
}
const minutes = ((performance.now() - wallStart) / 60_000).toFixed(1);
const cpus = os.cpus();

const lines: string[] = ['# Tiered benchmark', ''];
lines.push(
  `Run on ${new Date().toISOString().slice(0, 10)}, commit ${gitCommit()}: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ` +
    `Node ${process.version}, ${os.platform()} ${os.release()}, Redis on ${REDIS_URL.replace(/\/\/[^@]*@/, '//')} (loopback, same machine); ` +
    `load average ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end (other agents share the 2 cores); wall time ${minutes} min.`,
  '',
  'Command: `pnpm --filter @cache/tools bench:tiered` (builds `@cache/core`, `@cache/backend-memory`, `@cache/backend-redis` and `@cache/tiered`, ' +
    `then runs \`node --import tsx bench/tiered.ts\` in \`tools/\`; BENCH_L1_ROUNDS=${L1_ROUNDS}, BENCH_ROUNDS=${ROUNDS}, ` +
    `BENCH_MS=${SLICE_MS}, BENCH_N=${LATENCY_N}). Figures move between runs on this shared machine: compare the ratios.`,
  '',
);

if (l1) {
  const ratios = l1.map((r) => r.tiered / r.memory);
  const m = median(ratios);
  lines.push('## L1 hit: tiered against its own L1', '');
  lines.push(
    `\`tiered({ l1: new MemoryCache({ maxEntries: ${L1_ENTRIES.toLocaleString('en-US')} }), l2: new RedisCache({ client, prefix }), bus: new RedisBus({ url, channel }) }).get(k)\` ` +
      `against the same \`new MemoryCache({ maxEntries: ${L1_ENTRIES.toLocaleString('en-US')} })\` read with its async \`get(k)\`; ` +
      `${L1_KEYS.toLocaleString('en-US')} keys (small objects), all in L1, read in a fixed scattered order, one awaited call at a time. ` +
      'Each subject runs in a child process of its own, the two children at the same time (one per core), ' +
      `in ${L1_ROUNDS} paired rounds; in a child, batches of about ${L1_BATCH_MS} ms of process CPU time (user + system) run for ` +
      `${L1_TIME_MS} ms after ${L1_WARMUP_MS} ms of warm-up, and ops/s is the batch size over the median batch time.`,
    '',
  );
  lines.push('| round | tiered get (ops/s) | MemoryCache get (ops/s) | ratio |', '|---:|---:|---:|---:|');
  for (const [i, r] of l1.entries())
    lines.push(`| ${i + 1} | ${fmt(r.tiered)} | ${fmt(r.memory)} | ${ratio(r.tiered, r.memory)} |`);
  lines.push('');
  lines.push(
    `Target: an L1 hit >= 0.9x the MemoryCache alone. **Median of the paired ratios ${m.toFixed(2)}x** ` +
      `(range ${Math.min(...ratios).toFixed(2)}x–${Math.max(...ratios).toFixed(2)}x): ${m >= 0.9 ? 'met' : 'missed'}.`,
    '',
  );
}

if (peers) {
  const fig = (map: Map<string, number[]>, s: string, c: CaseId) => {
    const v = map.get(`${s}/${c}`);
    return v === undefined || v.length === 0 ? undefined : median(v);
  };
  lines.push('## Against bentocache and cacheable', '');
  lines.push(
    `One process; each case runs every subject for ${SLICE_MS} ms of wall time per round, ${ROUNDS} rounds in rotating order; ` +
      'figures are medians over the rounds. Each subject has its own generated loop that calls the library directly, ' +
      'one awaited call at a time per instance. Values are small JSON objects (~90 bytes), TTL 10 min.',
    '',
    `- get, L1 hit: ${HOT_KEYS.toLocaleString('en-US')} keys written through the instance (so they sit in both tiers), L1 of 10,000 entries.`,
    `- get, L2 hit: ${L2_KEYS.toLocaleString('en-US')} keys written through the instance, an L1 of ${SMALL_L1} entries, keys read in a cycle: ` +
      'every read misses L1, reads L2 and copies the value into L1 (evicting another).',
    `- set: ${HOT_KEYS.toLocaleString('en-US')} keys in a cycle; each set writes L2, L1 and (ours, bentocache) publishes on the bus.`,
    `- mix: ${MIX_INSTANCES} instances of the subject on one prefix (and one bus), each with an L1 of ${MIX_L1.toLocaleString('en-US')} entries, ` +
      `running at once over a precomputed sequence of ${MIX_OPS.toLocaleString('en-US')} operations (Zipf s = 1 over ` +
      `${MIX_KEYS.toLocaleString('en-US')} keys, all written to L2 first; ${Math.round(MIX_WRITES * 100)}% sets), each instance from its own offset. ` +
      'ops/s counts the operations of all four. cacheable has no bus: its instances keep serving L1 copies that another instance overwrote.',
    '',
  );
  const table = (title: string, map: Map<string, number[]>, format: (n: number | undefined) => string) => {
    lines.push(
      title,
      '',
      `| subject | ${CASES.map((c) => c.label).join(' | ')} |`,
      `|---|${CASES.map(() => '---:').join('|')}|`,
    );
    for (const s of peers.subjects)
      lines.push(`| ${s.label} | ${CASES.map((c) => format(fig(map, s.id, c.id))).join(' | ')} |`);
    lines.push('');
  };
  table('Operations per second (median):', peers.ops, fmt);
  table(
    'Client CPU per operation (µs, median; user + system of this process, which also runs the bus subscribers):',
    peers.cpu,
    (n) => (n === undefined ? 'n/a' : n.toFixed(1)),
  );
  const others = peers.subjects.filter((s) => s.peer);
  lines.push(
    'Ratios (ours / peer; ops/s, and in brackets the inverse ratio of CPU per operation):',
    '',
    `| case | ${others.map((s) => `vs ${s.label}`).join(' | ')} |`,
    `|---|${others.map(() => '---:').join('|')}|`,
  );
  for (const c of CASES) {
    lines.push(
      `| ${c.label} | ${others
        .map(
          (s) =>
            `${ratio(fig(peers.ops, 'ours', c.id), fig(peers.ops, s.id, c.id))} (${ratio(fig(peers.cpu, s.id, c.id), fig(peers.cpu, 'ours', c.id))})`,
        )
        .join(' | ')} |`,
    );
  }
  lines.push('');
  lines.push(
    'Share of timed reads that found their value (every key read was written first):',
    '',
    `| subject | ${CASES.filter((c) => c.id !== 'set')
      .map((c) => c.label)
      .join(' | ')} |`,
    `|---|${CASES.filter((c) => c.id !== 'set')
      .map(() => '---:')
      .join('|')}|`,
  );
  for (const s of peers.subjects) {
    const cells = CASES.filter((c) => c.id !== 'set').map((c) => {
      const v = peers.hitShare.get(`${s.id}/${c.id}`);
      return v === undefined ? 'n/a' : `${(median(v) * 100).toFixed(1)}%`;
    });
    lines.push(`| ${s.label} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  for (const [id, counters] of peers.mixCounters) {
    const label = peers.subjects.find((s) => s.id === id)?.label ?? id;
    const hits = counters.l1Hits + counters.l2Hits;
    lines.push(
      `${label} in the mix (its ${MIX_INSTANCES} instances, all rounds): ${((counters.l1Hits / Math.max(hits, 1)) * 100).toFixed(1)}% of the hits from L1, ` +
        `${counters.l1Flushes} flushes of L1.`,
    );
  }
  if (peers.mixCounters.size > 0) lines.push('');
  lines.push(
    'Notes:',
    '',
    "- bentocache's memory driver serializes by default (`serialize: true`), so each of its L1 hits parses JSON; " +
      "cacheable's memory store (`createKeyv`, CacheableMemory) clones values on read by default; ours hands back the stored value.",
    '- A set of ours and of bentocache waits for L2 and then for the bus publish; cacheable has no bus and writes both ' +
      'tiers at once. The "no bus" row shows what the publish costs ours.',
    '- In the mix, cacheable and the "no bus" row do not drop the L1 copies that another instance overwrote: they do less ' +
      'work and serve stale reads.',
    '',
  );
  lines.push('Configuration:', '', '| subject | configuration |', '|---|---|');
  for (const s of peers.subjects) lines.push(`| ${s.label} | \`${s.config.replaceAll('|', '\\|')}\` |`);
  lines.push('');
}

if (latency) {
  lines.push('## Invalidation latency', '');
  lines.push(
    `Two instances A and B on one prefix and bus, in this process, Redis on loopback. ${LATENCY_N} times (at most ${LATENCY_DEADLINE_MS / 1000} s in all), ` +
      'the paths taking turns: B writes a fresh key ' +
      "(so B holds an L1 copy), then A writes it; the latency runs from the start of A's write until B's L1 copy is gone " +
      "(ours: the `delete` event of B's `MemoryCache`; bentocache: B's `bus:message:received` event, on which it expires " +
      'its copy). "A.set" is the median time until the write resolved. One write in flight at a time. ' +
      "In tracking mode B hears of A's set twice (Redis's invalidation report and A's message); the first one drops the copy.",
    '',
    '| path | writes | p50 (ms) | p99 (ms) | max (ms) | mean (ms) | A.set p50 (ms) | lost (> 1 s) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const l of latency) {
    const s = l.sorted;
    const mean = s.reduce((x, y) => x + y, 0) / Math.max(s.length, 1);
    const q = (p: number) => (s.length === 0 ? 'n/a' : quantile(s, p).toFixed(2));
    lines.push(
      `| ${l.label} | ${s.length + l.timeouts} | ${q(0.5)} | ${q(0.99)} | ${q(1)} | ${s.length === 0 ? 'n/a' : mean.toFixed(2)} | ${l.setMs === undefined ? 'n/a' : l.setMs.toFixed(2)} | ${l.timeouts} |`,
    );
  }
  lines.push('');
}

lines.push(`Cleanup: ${removed} keys under the run prefix removed with SCAN + UNLINK.`, '');
const markdown = lines.join('\n');
process.stdout.write(`${markdown}\n`);
if (process.env.BENCH_PARTS === undefined) {
  writeFileSync(docPath, markdown);
  log(`wrote ${path.relative(process.cwd(), docPath)}`);
}
log(`total ${minutes} min`);
process.exit(0);
