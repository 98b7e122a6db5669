/**
 * The speed half of the memory benchmark: one subject through five scenarios in this process, with
 * one kind of value (`string` or `object`, built once in the workload, never per operation),
 * timed by tinybench against process CPU time (user + system, all threads, so GC threads count).
 *
 * One tinybench iteration is a batch of `n` operations, `n` calibrated per subject and scenario
 * so that a batch takes about 10 ms of CPU; ops/s is `n` over the median batch time. The loops
 * are generated per subject and scenario (`new Function` with a unique source), so each has its
 * own type feedback: a loop shared by every subject would turn megamorphic and favour the first.
 * Async subjects run `await target.get(key)` once per operation, one after the other.
 */
import { Bench } from 'tinybench';
import { cpuTimeMs } from './lib/cpu-time.ts';
import { mulberry32, shuffle, zipfRanks } from './lib/zipf.ts';
import type { Subject, SubjectInstance } from './memory-subjects.ts';

/** The scenarios, in run order. */
export const scenarioIds = ['get-hit', 'get-miss', 'set-existing', 'set-evict', 'mix'] as const;
export type ScenarioId = (typeof scenarioIds)[number];

/** The kinds of value the scenarios write: `value:<i>` strings, or small objects `{ id, name, active }`. */
export const valueKinds = ['string', 'object'] as const;
export type ValueKind = (typeof valueKinds)[number];

/** The value of entry `i` of a kind (the heap measurement builds them the same way). */
export function makeValue(kind: ValueKind, i: number): unknown {
  return kind === 'string' ? `value:${i}` : { id: i, name: `user:${i}`, active: true };
}

/** What one subject did in one scenario. */
export interface SpeedResult {
  opsPerSec: number;
  /** Relative margin of error of the batch times, in percent. */
  rme: number;
  samples: number;
  /** Operations per batch. */
  batch: number;
  /** Share of timed reads that found a value (0..1), or NaN when the scenario has no reads. */
  hitRate: number;
}

/** Sizes of the speed scenarios. */
export interface SpeedConfig {
  /** Entries of the get and set scenarios' caches. @default 100_000 */
  capacity: number;
  /** Distinct keys of the Zipf mix. @default 1_000_000 */
  zipfKeys: number;
  /** Operations precomputed for the mix (the loops wrap around). @default 1_000_000 */
  mixOps: number;
  /** Share of writes in the mix. @default 0.1 */
  mixSetShare: number;
  /** Zipf exponent. @default 1 */
  zipfS: number;
  /** CPU milliseconds of timed batches per subject and scenario. @default 600 */
  timeMs: number;
  /** CPU milliseconds of warm-up batches. @default 150 */
  warmupMs: number;
  /** CPU milliseconds a batch aims at. @default 10 */
  batchMs: number;
}

export const defaultSpeedConfig: SpeedConfig = {
  capacity: 100_000,
  zipfKeys: 1_000_000,
  mixOps: 1_000_000,
  mixSetShare: 0.1,
  zipfS: 1,
  timeMs: 600,
  warmupMs: 150,
  batchMs: 10,
};

/** The precomputed keys of every scenario, shared by all subjects. */
export interface Workload {
  /** `key:i` for i < capacity, the prefill of the get and set scenarios. */
  readonly prefillKeys: string[];
  /** The same keys, shuffled: the read order of get-hit. */
  readonly hitKeys: string[];
  /** Keys never written. */
  readonly missKeys: string[];
  /** Four times capacity distinct new keys, written in a cycle: every write is a new key at capacity. */
  readonly evictKeys: string[];
  /** The mix's key per operation (Zipf ranks of `z:rank`). */
  readonly mixKeys: string[];
  /** 1 where the mix's operation is a write. */
  readonly mixOps: Uint8Array;
  /** The hottest `capacity` Zipf keys, coldest first: the mix's prefill. */
  readonly mixPrefill: string[];
  /** `capacity` values of one kind, written in a cycle by the prefills and the timed writes. */
  readonly values: unknown[];
}

/** Builds the workload (seeded, so every run sees the same keys) with values of one kind. */
export function buildWorkload(config: SpeedConfig, kind: ValueKind): Workload {
  const random = mulberry32(20240601);
  const prefillKeys = Array.from({ length: config.capacity }, (_, i) => `key:${i}`);
  const hitKeys = shuffle(prefillKeys.slice(), random);
  const missKeys = Array.from({ length: config.capacity }, (_, i) => `miss:${i}`);
  const evictKeys = Array.from({ length: config.capacity * 4 }, (_, i) => `new:${i}`);
  const zkeys = Array.from({ length: config.zipfKeys }, (_, i) => `z:${i}`);
  const ranks = zipfRanks(config.zipfKeys, config.zipfS, config.mixOps, random);
  const mixKeys = Array.from(ranks, (r) => zkeys[r]!);
  const mixOps = new Uint8Array(config.mixOps);
  for (let i = 0; i < mixOps.length; i++) mixOps[i] = random() < config.mixSetShare ? 1 : 0;
  const mixPrefill = zkeys.slice(0, config.capacity).reverse();
  const values = Array.from({ length: config.capacity }, (_, i) => makeValue(kind, i));
  return { prefillKeys, hitKeys, missKeys, evictKeys, mixKeys, mixOps, mixPrefill, values };
}

/**
 * A generated loop: runs `n` operations from `start` (wrapping), returns the reads that hit. Writes
 * take the values in a cycle, from `values[start % values.length]` on.
 */
type Loop = (
  target: object,
  keys: readonly string[],
  ops: Uint8Array | null,
  n: number,
  start: number,
  values: readonly unknown[],
) => number | Promise<number>;

let loopSerial = 0;

function makeLoop(subject: Subject, inst: SubjectInstance, body: 'get' | 'set' | 'mix'): Loop {
  const aw = subject.kind === 'async' ? 'await ' : '';
  const get = `(${aw}c.${inst.get}(k)) != null`;
  const set = `{ ${aw}c.${inst.set}(k, values[v]); if (++v === vlen) v = 0; }`;
  const step =
    body === 'get'
      ? `if (${get}) hits++;`
      : body === 'set'
        ? set
        : `if (ops[j] === 1) ${set} else if (${get}) hits++;`;
  const source = `// ${subject.id} ${body} #${++loopSerial}
return ${subject.kind === 'async' ? 'async ' : ''}function loop(c, keys, ops, n, start, values) {
  const len = keys.length;
  const vlen = values.length;
  let j = start;
  let v = start % vlen;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[j];
    ${step}
    if (++j === len) j = 0;
  }
  return hits;
};`;
  return new Function(source)() as Loop;
}

async function prefill(
  subject: Subject,
  inst: SubjectInstance,
  keys: readonly string[],
  values: readonly unknown[],
): Promise<void> {
  const target = inst.target as Record<string, (key: string, value: unknown) => unknown>;
  const set = target[inst.set]!;
  for (let i = 0; i < keys.length; i++) {
    const r = set.call(target, keys[i]!, values[i % values.length]);
    if (subject.kind === 'async') await r;
  }
}

/**
 * One turn of the event loop, before each batch and outside its timing: a child whose parent went
 * away exits there (lib/children.ts) instead of after the scenario.
 */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Times one loop over `keys` with tinybench; the cursor carries on from batch to batch. */
async function timeLoop(
  loop: Loop,
  inst: SubjectInstance,
  keys: readonly string[],
  ops: Uint8Array | null,
  values: readonly unknown[],
  hasReads: boolean,
  config: SpeedConfig,
): Promise<SpeedResult> {
  const target = inst.target;
  let cursor = 0;
  let reads = 0;
  let hits = 0;
  const readShare = ops ? 1 - config.mixSetShare : 1;
  const run = async (n: number): Promise<void> => {
    const h = await loop(target, keys, ops, n, cursor, values);
    cursor = (cursor + n) % keys.length;
    hits += h;
    reads += n * readShare;
  };
  // Calibrate: grow the batch until it takes a measurable time, then size it from the fastest of
  // three trial batches (a single slow first batch, e.g. a GC or a resize, would make it tiny).
  let n = 64;
  for (;;) {
    const t0 = cpuTimeMs();
    await run(n);
    const dt = cpuTimeMs() - t0;
    if (dt >= config.batchMs / 4 || n >= 1 << 22) break;
    n *= 4;
  }
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = cpuTimeMs();
    await run(n);
    best = Math.min(best, (cpuTimeMs() - t0) / n);
  }
  n = Math.max(16, Math.round(config.batchMs / Math.max(best, 1e-6)));
  reads = 0;
  hits = 0;
  const bench = new Bench({
    now: cpuTimeMs,
    time: config.timeMs,
    warmupTime: config.warmupMs,
    iterations: 8,
    warmupIterations: 2,
    throws: true,
  });
  bench.add('batch', () => run(n), { async: true, beforeEach: yieldToEvents });
  const [task] = await bench.run();
  const result = task?.result;
  if (result?.state !== 'completed') throw new Error(`benchmark did not complete: ${result?.state}`);
  return {
    opsPerSec: (n * 1000) / result.latency.p50,
    rme: result.latency.rme,
    samples: result.latency.samplesCount,
    batch: n,
    hitRate: hasReads ? hits / Math.max(reads, 1) : Number.NaN,
  };
}

/**
 * Runs every scenario for one subject (fresh instances: one for the get and set scenarios, one for the
 * mix). set-existing overwrites the prefilled keys (a full cache, no eviction) before set-evict
 * replaces them with new keys.
 */
export async function runSpeed(
  subject: Subject,
  workload: Workload,
  config: SpeedConfig,
  onResult: (scenario: ScenarioId, result: SpeedResult) => void,
): Promise<void> {
  const { values } = workload;
  const inst = await subject.create(config.capacity);
  try {
    await prefill(subject, inst, workload.prefillKeys, values);
    const scenarios: [ScenarioId, 'get' | 'set', readonly string[], boolean][] = [
      ['get-hit', 'get', workload.hitKeys, true],
      ['get-miss', 'get', workload.missKeys, true],
      ['set-existing', 'set', workload.hitKeys, false],
      ['set-evict', 'set', workload.evictKeys, false],
    ];
    for (const [scenario, body, keys, hasReads] of scenarios) {
      const loop = makeLoop(subject, inst, body);
      onResult(scenario, await timeLoop(loop, inst, keys, null, values, hasReads, config));
    }
  } finally {
    await inst.close();
  }
  const mixInst = await subject.create(config.capacity);
  try {
    await prefill(subject, mixInst, workload.mixPrefill, values);
    const mixLoop = makeLoop(subject, mixInst, 'mix');
    onResult(
      'mix',
      await timeLoop(mixLoop, mixInst, workload.mixKeys, workload.mixOps, values, true, config),
    );
  } finally {
    await mixInst.close();
  }
}
