/**
 * The tiered benchmark: `pnpm --filter @cache/tools bench:tiered` (builds `@cache/core`,
 * `@cache/backend-memory`, `@cache/backend-redis` and `@cache/tiered`, then runs
 * `node --import tsx bench/tiered.ts` in `tools/`). Redis at REDIS_URL (default redis://127.0.0.1:6379); every key lives under a
 * unique run prefix, removed at the end with SCAN + UNLINK. Writes docs/benchmarks/tiered.md.
 *
 * 1. L1 hit: `tiered(MemoryCache, RedisCache, RedisBus).get` against the same `MemoryCache`'s
 *    async `get`, in this process, each with its own generated loop, in paired rounds (one batch
 *    of each back to back); the target is judged on the median per-round ratio.
 * 2. Peers: ours (with and without its bus), bentocache (memory L1 + redis L2 + redis bus) and
 *    cacheable (memory primary + @keyv/redis secondary, with CacheableSync over Redis and without) in this process: get with an L1 hit, get with an L2 hit, set, and a
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
import { execFileSync } from 'node:child_process';
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

const L1_ROUNDS = Number(process.env.BENCH_L1_ROUNDS ?? 61);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SLICE_MS = Number(process.env.BENCH_MS ?? 150);
const LATENCY_N = Number(process.env.BENCH_N ?? 500);
const PARTS = process.env.BENCH_PARTS?.split(',').filter(Boolean) ?? ['l1', 'peers', 'latency'];

/** Part 1: hot keys, L1 bound of both subjects. */
const L1_KEYS = 10_000;
const L1_ENTRIES = 20_000;
/** CPU ms of part 1's warm-up, and the CPU ms a timed batch aims at. */
const L1_WARMUP_MS = 500;
const L1_BATCH_MS = 20;

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

const run = `bench-tiered:${process.pid}:${randomBytes(3).toString('hex')}:`;
const wallStart = performance.now();

// ---- part 1: the L1 hit, tiered against its own L1, interleaved in this process ------------------

/** One subject's L1-hit loop: generated from its own source, so that its type feedback is its own. */
type L1Loop = (
  c: { get(key: string): Promise<unknown> },
  keys: readonly string[],
  n: number,
  start: number,
) => Promise<number>;
function makeL1Loop(id: string): L1Loop {
  return new Function(`// L1 ${id}
return async function loop(c, keys, n, start) {
  const len = keys.length;
  let j = start;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    if ((await c.get(keys[j])) !== undefined) hits++;
    if (++j === len) j = 0;
  }
  return hits;
};`)() as L1Loop;
}

interface L1Round {
  tiered: number;
  memory: number;
}

async function partL1(): Promise<L1Round[]> {
  const keys = Array.from({ length: L1_KEYS }, (_, i) => `key:${(i * 7919) % L1_KEYS}`);
  const memory = new MemoryCache<Value>({ maxEntries: L1_ENTRIES });
  for (let i = 0; i < L1_KEYS; i++) memory.setSync(`key:${i}`, makeValue(i));
  const made = await createOurs(L1_ENTRIES, `${run}l1:`);
  for (let i = 0; i < L1_KEYS; i += 500) {
    await made.cache.setMany(
      Array.from({ length: 500 }, (_, j) => [`key:${i + j}`, makeValue(i + j)] as const),
    );
  }
  if (made.l1.size !== L1_KEYS) throw new Error(`L1 holds ${made.l1.size} entries, not ${L1_KEYS}`);
  const subjects = [
    { id: 'tiered' as const, target: made.cache, loop: makeL1Loop('tiered'), cursor: 0 },
    { id: 'memory' as const, target: memory, loop: makeL1Loop('memory'), cursor: 0 },
  ];
  /** CPU ms per call of `n` calls of a subject (every read must hit). */
  const batch = async (s: (typeof subjects)[number], n: number): Promise<number> => {
    const t0 = cpuTimeMs();
    const hits = await s.loop(s.target, keys, n, s.cursor);
    const ms = cpuTimeMs() - t0;
    s.cursor = (s.cursor + n) % L1_KEYS;
    if (hits !== n) throw new Error(`${s.id}: ${n - hits} of ${n} reads missed`);
    return ms / n;
  };
  // Warm-up, and a batch size of about L1_BATCH_MS of CPU for the slower subject.
  const warmEnd = cpuTimeMs() + L1_WARMUP_MS;
  let perCall = 0;
  while (cpuTimeMs() < warmEnd) for (const s of subjects) perCall = Math.max(perCall, await batch(s, 4096));
  const n = Math.max(1024, Math.round(L1_BATCH_MS / Math.max(perCall, 1e-6)));
  const rounds: L1Round[] = [];
  for (let round = 0; round < L1_ROUNDS; round++) {
    // Both subjects back to back in each round, the one timed first alternating.
    const order = round % 2 === 0 ? subjects : [...subjects].reverse();
    const ms: Record<string, number> = {};
    for (const s of order) ms[s.id] = await batch(s, n);
    const r = { tiered: 1000 / (ms.tiered as number), memory: 1000 / (ms.memory as number) };
    rounds.push(r);
    if (round % 10 === 9 || round === L1_ROUNDS - 1)
      log(`L1 round ${round + 1}/${L1_ROUNDS}: ratio ${ratio(r.tiered, r.memory)} (batches of ${n} calls)`);
  }
  l1Batch = n;
  await made.close();
  await memory.close();
  return rounds;
}
let l1Batch = 0;

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
      `Both subjects in this process, each with its own generated loop (its own type feedback), after ${L1_WARMUP_MS} ms of CPU of warm-up; ` +
      `${L1_ROUNDS} paired rounds, each timing one batch of ${l1Batch.toLocaleString('en-US')} calls of each subject back to back ` +
      `(about ${L1_BATCH_MS} ms of process CPU time, user + system, per batch; the subject timed first alternates). ` +
      'The ratio of a round compares two batches run a few milliseconds apart, so that the load of this shared machine ' +
      'touches both alike; the target is judged on the median of the per-round ratios.',
    '',
  );
  const sortedRatios = [...ratios].sort((a, b) => a - b);
  lines.push(
    '| | tiered get (ops/s) | MemoryCache get (ops/s) | ratio |',
    '|---|---:|---:|---:|',
    `| median of the rounds | ${fmt(median(l1.map((r) => r.tiered)))} | ${fmt(median(l1.map((r) => r.memory)))} | ${m.toFixed(2)}x |`,
    `| quartiles of the per-round ratio | | | ${quantile(sortedRatios, 0.25).toFixed(2)}x – ${quantile(sortedRatios, 0.75).toFixed(2)}x |`,
    '',
  );
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
    `- set: ${HOT_KEYS.toLocaleString('en-US')} keys in a cycle; each set writes L2, L1 and, with a bus, publishes on it.`,
    `- mix: ${MIX_INSTANCES} instances of the subject on one prefix (and one bus), each with an L1 of ${MIX_L1.toLocaleString('en-US')} entries, ` +
      `running at once over a precomputed sequence of ${MIX_OPS.toLocaleString('en-US')} operations (Zipf s = 1 over ` +
      `${MIX_KEYS.toLocaleString('en-US')} keys, all written to L2 first; ${Math.round(MIX_WRITES * 100)}% sets), each instance from its own offset. ` +
      'ops/s counts the operations of all four. Without a bus (cacheable without its sync option, ours without a bus), instances keep serving L1 copies that another instance overwrote.',
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
  // Like with like: ours with its bus against each peer with one, ours without against each peer without.
  const ourWith = (s: Subject) => (s.bus ? 'ours' : 'ours-no-bus');
  const cell = (mine: string, s: Subject, c: CaseId) =>
    `${ratio(fig(peers.ops, mine, c), fig(peers.ops, s.id, c))} (${ratio(fig(peers.cpu, s.id, c), fig(peers.cpu, mine, c))})`;
  const others = peers.subjects.filter((s) => s.peer);
  lines.push(
    "Ratios, like with like (ops/s of ours over the peer's, and in brackets the inverse ratio of CPU per operation): " +
      '`@cache/tiered` (with its bus) against each peer with a bus, `@cache/tiered, no bus` against each peer without one:',
    '',
    `| case | ${others.map((s) => `${s.bus ? 'ours' : 'ours, no bus'} vs ${s.label}`).join(' | ')} |`,
    `|---|${others.map(() => '---:').join('|')}|`,
  );
  for (const c of CASES)
    lines.push(`| ${c.label} | ${others.map((s) => cell(ourWith(s), s, c.id)).join(' | ')} |`);
  lines.push('');
  const unlike = others.filter((s) => !s.bus);
  const UNLIKE = [
    ['ours', 'ours'],
    ['ours-background', 'ours, background'],
    ['ours-tracking', 'ours, tracking'],
  ] as const;
  if (unlike.length > 0) {
    lines.push(
      `Not like with like: \`@cache/tiered\` with its bus against ${unlike.map((s) => s.label).join(', ')} ` +
        "(every set of ours also tells the other instances; theirs tells no one): by default (a set sends its message behind its L2 write and waits for it), with `busPublish: 'background'` (it does not wait), and with a tracking bus and `publishWrites: false` (Redis's own invalidations tell the others; no message):",
      '',
      `| case | ${unlike.flatMap((s) => UNLIKE.map(([, label]) => `${label} vs ${s.label}`)).join(' | ')} |`,
      `|---|${unlike.flatMap(() => UNLIKE.map(() => '---:')).join('|')}|`,
    );
    for (const c of CASES)
      lines.push(
        `| ${c.label} | ${unlike.flatMap((s) => UNLIKE.map(([id]) => cell(id, s, c.id))).join(' | ')} |`,
      );
    lines.push('');
  }
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
    '- A set of bentocache and of cacheable with CacheableSync waits for L2 and then for its bus publish (two round trips to Redis). ' +
      'A set of ours (by default) sends its keys-only message on the L2 connection right behind the SET, in the same socket write, ' +
      'and waits for both: one round trip, and the server applies the write before it publishes, so that no instance ' +
      "can read the old value back after the message. With `busPublish: 'background'` the set does not wait for the message; " +
      'with a tracking bus and `publishWrites: false` it sends none (Redis reports the write to the other instances). ' +
      'cacheable (2.5) has a bus, CacheableSync, which is off unless its `sync` option is given: both are measured, ' +
      'and the like-with-like table compares each with ours in the same configuration.',
    '- CacheableSync sends each value in its message (JSON) and receivers store it; ours and bentocache send keys only.',
    '- In the mix, the rows without a bus do not drop the L1 copies that another instance overwrote: they do less ' +
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
