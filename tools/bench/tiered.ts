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
 * Env: BENCH_L1_ROUNDS (paired rounds of part 1, default 61), BENCH_ROUNDS (rounds of part 2,
 * default 15), BENCH_MS (slice per subject, case and round, default 150), BENCH_N (sets per
 * latency series, default 500), BENCH_PARTS (comma-separated: l1, peers, latency; with it the
 * report is printed, not written).
 *
 * This file runs parts 1 and 2 and the cleanup; part 3 is in tiered-latency.ts, the report in
 * tiered-report.ts, the settings in tiered-settings.ts, and the subjects and the generated loops
 * in tiered-subjects.ts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryCache } from '@cache/backend-memory';
import { escapeMatch } from '@cache/backend-redis/internal/patterns';
import { Redis } from 'ioredis';
import { cpuTimeMs } from './lib/cpu-time.ts';
import { mulberry32, zipfRanks } from './lib/zipf.ts';
import { type Latency, partLatency } from './tiered-latency.ts';
import { type L1Round, type PeerResults, renderReport } from './tiered-report.ts';
import {
  CASES,
  type CaseId,
  HOT_KEYS,
  L1_BATCH_MS,
  L1_ENTRIES,
  L1_KEYS,
  L1_ROUNDS,
  L1_WARMUP_MS,
  L2_KEYS,
  MIX_INSTANCES,
  MIX_KEYS,
  MIX_L1,
  MIX_OPS,
  MIX_WRITES,
  PARTS,
  ROUNDS,
  SLICE_MS,
  SMALL_L1,
} from './tiered-settings.ts';
import { fmt, log, median, ratio } from './tiered-stats.ts';
import {
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

// ---- cleanup and report -------------------------------------------------------------------------

async function cleanup(): Promise<number> {
  const client = new Redis(REDIS_URL);
  const match = `${escapeMatch(run)}*`;
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
  latency = PARTS.includes('latency') ? await partLatency(run) : undefined;
} finally {
  // The run's keys go even when a part failed.
  removed = await cleanup();
  log(`cleanup: ${removed} keys under ${run} removed`);
}
const minutes = ((performance.now() - wallStart) / 60_000).toFixed(1);
const markdown = renderReport({
  commit: gitCommit(),
  minutes,
  l1,
  l1Batch,
  peers,
  latency,
  removed,
});
process.stdout.write(`${markdown}\n`);
if (process.env.BENCH_PARTS === undefined) {
  writeFileSync(docPath, markdown);
  log(`wrote ${path.relative(process.cwd(), docPath)}`);
}
log(`total ${minutes} min`);
process.exit(0);
