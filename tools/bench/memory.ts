/**
 * The memory backend benchmark: `pnpm --filter @cache/tools bench:memory` (builds
 * `@cache/backend-memory` and its dependencies, then runs
 * `node --expose-gc --import tsx bench/memory.ts`).
 *
 * Speed: each subject and kind of value in a child process of its own (`--speed-child=<id>`, see
 * memory-speed.ts), so that no subject runs with the type feedback another one left behind (an
 * application uses one cache class with one policy). Memory: each subject and kind of value in a
 * child process of its own (see memory-heap.ts). Children never outlive this process (lib/children.ts).
 * Writes `docs/benchmarks/memory-speed.md` and prints the same Markdown.
 *
 * Speed runs in `--rounds=N` interleaved rounds (default 3; 1 with `--quick`): every subject once
 * per round, and each scenario keeps its best round. Other load on the machine only slows a
 * round down, so the best round is the least disturbed one, and interleaving spreads a busy
 * spell over all subjects instead of one. Within a round, subjects run in pairs at once, one per
 * core (`PAIRS`), and the report also divides the two of a pair round by round.
 *
 * Flags: `--values=string,object` the kinds of value (default both); `--only=id,id` runs some
 * subjects and prints without writing the doc; `--quick` uses shorter timings; `--time=<ms>` sets the
 * CPU time of each scenario's timed batches (default 600, 200 with `--quick`); `--no-heap` skips the
 * bytes-per-entry processes; `--baseline=<dir>` adds the MemoryCache subjects built in another
 * checkout's `packages/backend-memory` (its `dist`, built there first), each run beside the same
 * subject of this build, and prints without writing the doc (a before/after comparison).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildRun, exitWithParent, runChild } from './lib/children.ts';
import {
  type ByKind,
  type HeapResult,
  type MemoryBenchResults,
  formatOps,
  renderMarkdown,
} from './memory-report.ts';
import {
  type ScenarioId,
  type SpeedResult,
  type ValueKind,
  buildWorkload,
  defaultSpeedConfig,
  runSpeed,
  valueKinds as allValueKinds,
} from './memory-speed.ts';
import { allSubjects, loadMemoryCache, type Subject } from './memory-subjects.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const toolsDir = path.resolve(here, '..');
const docPath = path.resolve(toolsDir, '../docs/benchmarks/memory-speed.md');
const heapEntries = 1_000_000;

const args = process.argv.slice(2);
function flag(name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}
const only = flag('only')?.split(',');
const quick = args.includes('--quick');
const withHeap = !args.includes('--no-heap');
const timeMs = Number(flag('time') ?? (quick ? 200 : defaultSpeedConfig.timeMs));
if (!Number.isInteger(timeMs) || timeMs < 1) throw new Error('--time takes a positive integer (ms)');
const config = { ...defaultSpeedConfig, ...(quick ? { warmupMs: 50 } : {}), timeMs };
const rounds = Number(flag('rounds') ?? (quick ? 1 : 3));
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a positive integer');
const valuesFlag = flag('values');
const valueKinds = allValueKinds.filter((k) =>
  (valuesFlag ?? allValueKinds.join(',')).split(',').includes(k),
);
if (valueKinds.length === 0) throw new Error(`--values takes a list of ${allValueKinds.join(', ')}`);
// pnpm runs the script in tools/: a relative path is taken from where pnpm was started.
const baselineFlag = flag('baseline');
const baselineDir =
  baselineFlag === undefined ? undefined : path.resolve(process.env.INIT_CWD ?? process.cwd(), baselineFlag);
const everySubject = allSubjects(baselineDir);
const subjects = only
  ? everySubject.filter(
      (s) => only.includes(s.id) || (s.baselineOf !== undefined && only.includes(s.baselineOf)),
    )
  : everySubject;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function gitCommit(cwd: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const wallStart = performance.now();
const speedChild = flag('speed-child');

if (speedChild !== undefined) {
  // Child mode: one subject's speed scenarios with one kind of value, printed as one JSON line.
  exitWithParent();
  const subject = everySubject.find((s) => s.id === speedChild);
  if (!subject) throw new Error(`unknown subject ${speedChild}`);
  const [kind] = valueKinds;
  await loadMemoryCache(subject.baselineOf === undefined ? undefined : baselineDir);
  const workload = buildWorkload(config, kind!);
  const perScenario: Record<string, SpeedResult> = {};
  await runSpeed(subject, workload, config, (scenario, result) => {
    perScenario[scenario] = result;
  });
  process.stdout.write(`${JSON.stringify(perScenario)}\n`);
  process.exit(0);
}

const memory = await loadMemoryCache();
log(
  memory.placeholder
    ? 'MemoryCache: @cache/backend-memory not built, using the placeholder'
    : `MemoryCache: @cache/backend-memory (sync fast path: ${memory.syncGet}/${memory.syncSet})`,
);
if (baselineDir !== undefined) {
  const base = await loadMemoryCache(baselineDir);
  log(`baseline MemoryCache: ${baselineDir} (sync fast path: ${base.syncGet}/${base.syncSet})`);
}

/** Runs `node --expose-gc --import tsx <script> <args>` in a child, logging its pid. */
function child(what: string, script: string, childArgs: string[]): Promise<ChildRun> {
  return runChild(['--expose-gc', '--import', 'tsx', script, ...childArgs], toolsDir, (pid) =>
    log(`child ${pid} up: ${what}`),
  );
}

/** The speed child of one subject and kind of value. */
function speedRun(subject: Subject, kind: ValueKind): Promise<ChildRun> {
  return child(`speed ${subject.id} (${kind} values)`, fileURLToPath(import.meta.url), [
    `--speed-child=${subject.id}`,
    `--values=${kind}`,
    ...(quick ? ['--quick'] : []),
    `--time=${timeMs}`,
    ...(baselineDir === undefined ? [] : [`--baseline=${baselineDir}`]),
  ]);
}

/**
 * Subjects run two at a time, one per core, each pair at once: a MemoryCache subject beside the
 * subject its target names, so that a slow spell of a shared machine slows both alike. With a
 * baseline, each MemoryCache subject runs beside its baseline twin instead.
 */
const PAIRS: readonly (readonly [string, string])[] = [
  ['memory-sync', 'lru-cache-sync'],
  ['memory-async', 'lru-cache-async'],
  ['memory-lru-sync', 'map'],
  ['memory-lru-async', 'keyv'],
  ['cacheable-memory', 'bentocache'],
  ['cacheable', 'cache-manager'],
];

/** The selected subjects in batches of two (`PAIRS` first); the rest paired in table order. */
function batchesOf(selected: readonly Subject[]): Subject[][] {
  const twins = selected.flatMap((s) => (s.baselineOf === undefined ? [] : [[s.baselineOf, s.id] as const]));
  const placed = new Set<string>();
  const batches: Subject[][] = [];
  for (const pair of [...twins, ...PAIRS]) {
    const batch = selected.filter((s) => pair.includes(s.id) && !placed.has(s.id));
    if (batch.length < 2) continue;
    for (const s of batch) placed.add(s.id);
    batches.push(batch);
  }
  const rest = selected.filter((s) => !placed.has(s.id));
  for (let i = 0; i < rest.length; i += 2) batches.push(rest.slice(i, i + 2));
  return batches;
}

/** The entry of `key`, made on first use. */
function slot<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

const batches = batchesOf(subjects);
const speed: ByKind<Map<ScenarioId, SpeedResult>> = new Map();
const perRound: ByKind<Map<ScenarioId, number[]>> = new Map();
for (let round = 1; round <= rounds; round++) {
  for (const kind of valueKinds) {
    for (const batch of batches) {
      const t0 = performance.now();
      const runs = await Promise.all(batch.map((s) => speedRun(s, kind)));
      for (const [i, subject] of batch.entries()) record(round, kind, subject, runs[i]!);
      log(
        `${batch.map((s) => s.id).join(' + ')} (${kind} values): ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
  }
}

/** The JSON line a child printed last, or undefined (logged) when it failed. */
function output<T>(what: string, run: ChildRun): T | undefined {
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status === 0 && line.startsWith('{')) return JSON.parse(line) as T;
  log(`${what} failed (${run.status ?? run.signal}): ${run.stderr.slice(0, 2000)}`);
  return undefined;
}

function record(round: number, kind: ValueKind, subject: Subject, run: ChildRun): void {
  const results = output<Record<ScenarioId, SpeedResult>>(`${subject.id}: speed run`, run);
  if (!results) return;
  const best = slot(
    slot(speed, kind, () => new Map()),
    subject.id,
    () => new Map<ScenarioId, SpeedResult>(),
  );
  const byScenario = slot(
    slot(perRound, kind, () => new Map()),
    subject.id,
    () => new Map<ScenarioId, number[]>(),
  );
  for (const [scenario, result] of Object.entries(results) as [ScenarioId, SpeedResult][]) {
    slot(byScenario, scenario, (): number[] => [])[round - 1] = result.opsPerSec;
    const kept = best.get(scenario);
    if (kept === undefined || result.opsPerSec > kept.opsPerSec) best.set(scenario, result);
    log(
      `round ${round} ${subject.id.padEnd(24)} ${kind.padEnd(6)} ${scenario.padEnd(12)} ${formatOps(result.opsPerSec).padStart(9)} ops/s ` +
        `±${result.rme.toFixed(1)}% (${result.samples} x ${result.batch} ops)`,
    );
  }
}

const heap: ByKind<HeapResult> = new Map();
if (withHeap) {
  for (const kind of valueKinds) {
    const byId = slot(heap, kind, () => new Map<string, HeapResult>());
    for (const subject of subjects) {
      if (subject.heapOf !== undefined && subjects.some((s) => s.id === subject.heapOf)) continue;
      const run = await child(
        `bytes/entry ${subject.id} (${kind} values)`,
        path.join(here, 'memory-heap.ts'),
        [subject.id, String(heapEntries), kind, ...(baselineDir === undefined ? [] : [baselineDir])],
      );
      const r = output<HeapResult>(`${subject.id}: bytes/entry (${kind} values)`, run);
      if (!r) continue;
      byId.set(subject.id, r);
      log(
        `${subject.id.padEnd(24)} ${kind.padEnd(6)} ${r.bytesPerEntry.toFixed(1)} bytes/entry (kept ${(r.retained * 100).toFixed(1)}%, fill ${(r.fillMs / 1000).toFixed(1)} s)`,
      );
    }
    for (const subject of subjects) {
      const shared = subject.heapOf === undefined ? undefined : byId.get(subject.heapOf);
      if (shared) byId.set(subject.id, shared);
    }
  }
}

const minutes = ((performance.now() - wallStart) / 60_000).toFixed(1);
const cpus = os.cpus();
const commandFlags = args.filter((a) => a !== '--');
const baselineLine =
  baselineDir === undefined
    ? []
    : [`Baseline: the MemoryCache of ${baselineDir} (commit ${gitCommit(baselineDir)}).`, ''];
const header = [
  `Run on ${new Date().toISOString().slice(0, 10)}, commit ${gitCommit(toolsDir)}: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ` +
    `Node ${process.version}, ${os.platform()} ${os.release()}; wall time ${minutes} min.`,
  '',
  ...baselineLine,
  `Command: \`pnpm --filter @cache/tools bench:memory${commandFlags.map((f) => ` ${f}`).join('')}\` (builds \`@cache/backend-memory\` and its dependencies,`,
  `then runs \`node --expose-gc --import tsx bench/memory.ts\` in \`tools/\`).`,
  '',
  `> ${rounds} interleaved round${rounds === 1 ? '' : 's'} (every subject once per round and kind of value); each figure is the subject's best round.`,
  `> Load average ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end of the run on ${cpus.length} cores: other load only slows a round down,`,
  '> and figures still move by about ±10% between runs (see the ± column): compare ratios, not single numbers.',
  '',
  'How it is measured:',
  `- Time is **process CPU time** (user + system, all threads, so GC helper threads count), used as`,
  "  tinybench's clock. One tinybench iteration is a batch of operations calibrated to about",
  `  ${config.batchMs} ms; after ${config.warmupMs} ms of warm-up, batches run for ${config.timeMs} ms of CPU;`,
  "  ops/s = batch size / median batch time. ± is tinybench's relative margin of error.",
  '- Each subject runs in a child process of its own for each kind of value (as an application uses one',
  '  cache class with one configuration); each scenario gets its own generated loop, calling the library',
  '  directly: `target.get(key)`.',
  '- Subjects run two at a time, one per core: each MemoryCache subject beside the subject its target',
  '  names (default sync + lru-cache sync, default async + lru-cache async, `lru` sync + Map, `lru` async',
  '  + keyv; then the other peers in pairs), so that a slow spell of the shared machine slows both.',
  '  With a baseline, each MemoryCache subject runs beside the same subject of the baseline build instead.',
  '- **Async subjects are awaited one call at a time**: `for (...) { if ((await c.get(k)) != null) hits++ }`.',
  '  "lru-cache (async-wrapped)" is lru-cache behind `async get(k) { return lru.get(k) }`.',
  `- Values: string values are \`value:<i>\`; object values are small objects \`{ id: i, name: 'user:<i>', active: true }\`.`,
  `  The ${config.capacity.toLocaleString('en-US')} values of a kind are built once, before the timing, and written in a cycle.`,
  `- get-hit: a cache of ${config.capacity.toLocaleString('en-US')} entries (key \`key:<i>\`), read in a shuffled order;`,
  '  get-miss: the same cache, keys never written; set of an existing key: the same full cache, its keys',
  '  written again in the shuffled order (an overwrite: no eviction);',
  `  set with eviction: the same cache at capacity, writing ${(config.capacity * 4).toLocaleString('en-US')} new keys in a cycle`,
  '  (every write adds a key to a full cache, so each one evicts, or is refused by an admission policy);',
  `  Zipf mix: a fresh ${config.capacity.toLocaleString('en-US')}-entry cache prefilled with the hottest keys, then a precomputed`,
  `  sequence of ${config.mixOps.toLocaleString('en-US')} operations over ${config.zipfKeys.toLocaleString('en-US')} keys (Zipf s = ${config.zipfS}),`,
  `  ${Math.round(config.mixSetShare * 100)}% writes. "reads hit" is the share of timed reads that found a value.`,
  `- Bytes per entry: each subject in its own \`node --expose-gc\` process for each kind of value, capacity`,
  `  ${heapEntries.toLocaleString('en-US')}, filled with ${heapEntries.toLocaleString('en-US')} entries (key \`key:<i>\`, a value of the kind built in the fill loop);`,
  '  (heapUsed + arrayBuffers) after full GCs with the full cache, minus the same before the cache',
  '  was made, / entries. It includes keys, values and what a cache preallocates for its bound.',
  '  "over a plain Map" subtracts the Map\'s figure (keys, values and the Map itself). An async row',
  '  shares the figure of its sync twin (the same object called another way).',
  '- Every subject is bounded to the capacity: see the configuration table at the end.',
];

const results: MemoryBenchResults = {
  subjects,
  valueKinds,
  speed,
  rounds: perRound,
  heap,
  heapEntries,
  config,
  placeholder: memory.placeholder,
  header,
};
let markdown = renderMarkdown(results);
markdown += [
  '',
  '## Configuration of each subject',
  '',
  '| subject | kind | configuration |',
  '|---|---|---|',
  ...subjects.map((s) => `| ${s.label} | ${s.kind} | ${s.config.replaceAll('|', '\\|')} |`),
  '',
].join('\n');
process.stdout.write(`${markdown}\n`);
if (!only && baselineDir === undefined) {
  writeFileSync(docPath, markdown);
  log(`wrote ${path.relative(process.cwd(), docPath)}`);
}
log(`total ${minutes} min`);
